/** JMH benchmarks of the sdk: batch-1 streaming and batched scoring. Run with ./charlm bench. */
package dev.charlm.bench;
