/**
 * Scoring a corpus on Apache Spark with the sdk inside the executors: {@link
 * dev.charlm.spark.SparkScoreJob} (the job), {@link dev.charlm.spark.SparkScore} (its command
 * line). Depends on the sdk only; Spark is provided by the cluster.
 */
package dev.charlm.spark;
