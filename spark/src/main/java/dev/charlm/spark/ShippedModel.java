package dev.charlm.spark;

import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.InvalidModelException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import org.apache.spark.sql.SparkSession;

/**
 * A model file shipped with a session's jobs: its name (executors find it by that) and SHA-256
 * (they check it before loading). The driver loads it once first, so a file that is not a model
 * stops the job before any task runs; each executor JVM then loads it once ({@link ModelCache}).
 *
 * @param sha256 the file's SHA-256
 * @param fileName its name among the session's files
 */
record ShippedModel(String sha256, String fileName) implements Serializable {

    /**
     * Checks {@code model} and ships it, once per session: a context warns when a file is added
     * again (by a second job, or by spark-submit --files, which lists it under the driver's file
     * server rather than its file: URI), so a name already shipped is not added again.
     */
    static ShippedModel ship(SparkSession spark, Path model) throws SparkScoreJob.JobException, IOException {
        if (!Files.isRegularFile(model)) {
            throw new SparkScoreJob.JobException(model + ": "
                    + (Files.exists(model) ? "not a regular file" : "no such model file"));
        }
        String sha = ModelCache.sha256(model);
        try {
            ModelCache.get(sha, model, spark.sparkContext().getConf().getInt("spark.task.cpus", 1));
        } catch (InvalidModelException e) {
            throw new SparkScoreJob.JobException(e.getMessage());
        }
        String name = model.getFileName().toString();
        boolean shipped = scala.jdk.javaapi.CollectionConverters.asJava(spark.sparkContext().listFiles()).stream()
                .anyMatch(uri -> uri.endsWith("/" + name));
        if (!shipped) {
            spark.sparkContext().addFile(model.toAbsolutePath().toString());
        }
        return new ShippedModel(sha, name);
    }

    /** The model in this executor's JVM, with as many intra-op threads as a task has cores. */
    CharModel load() throws IOException, InvalidModelException {
        int cpus = SparkEnv.get().conf().getInt("spark.task.cpus", 1);
        return ModelCache.get(sha256, Path.of(SparkFiles.get(fileName)), cpus);
    }
}
