package dev.charlm.trainer.data;

import dev.charlm.trainer.internal.EnumIds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * d2l's two ways to cut a token sequence into minibatches of {@code batchSize} windows of
 * {@code numSteps} tokens: random sampling and sequential partitioning (section 9.3). Called
 * partitioning here throughout, so that "sampling" means drawing characters. A batch is given by the start offset of each window: its inputs are
 * {@code corpus[start, start + numSteps)} and its labels the same window shifted by one.
 */
public enum Partitioning {
    /**
     * {@code seq_data_iter_random}: drop a random offset in [0, numSteps), cut the rest into
     * non-overlapping windows, shuffle them, and deal them out {@code batchSize} at a time.
     * Windows of one batch are unrelated, so no state carries between batches.
     */
    RANDOM,
    /**
     * {@code seq_data_iter_sequential}: drop a random offset in [0, numSteps], lay the rest out
     * as {@code batchSize} rows, and walk along the rows; row b of batch i+1 continues row b of
     * batch i, so the state carries across batches.
     */
    SEQUENTIAL;

    public String id() {
        return EnumIds.id(this);
    }

    public static Partitioning fromId(String id) {
        return EnumIds.parse(Partitioning.class, id, "partitioning");
    }

    /** Whether the recurrent state carries from one batch to the next. */
    public boolean carriesState() {
        return this == SEQUENTIAL;
    }

    /** Batches in an epoch's plan (the random offset may make one fewer). */
    public int batchesPerEpoch(int corpusLength, int batchSize, int numSteps) {
        return this == RANDOM ? (corpusLength - 1) / numSteps / batchSize
                : (corpusLength - 1) / batchSize / numSteps;
    }

    /**
     * Plans one epoch.
     *
     * @return the start offsets of every batch's windows, in order
     * @throws IllegalArgumentException if the corpus is too short for a single batch
     */
    public List<int[]> plan(int corpusLength, int batchSize, int numSteps, Random random) {
        List<int[]> batches = this == RANDOM
                ? planRandom(corpusLength, batchSize, numSteps, random)
                : planSequential(corpusLength, batchSize, numSteps, random);
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("training text has " + corpusLength
                    + " characters, too few for one batch of " + batchSize + " x " + numSteps);
        }
        return batches;
    }

    private static List<int[]> planRandom(int length, int batchSize, int numSteps, Random random) {
        int offset = random.nextInt(numSteps);
        int windows = (length - offset - 1) / numSteps;
        List<Integer> starts = new ArrayList<>(Math.max(windows, 0));
        for (int k = 0; k < windows; k++) {
            starts.add(offset + k * numSteps);
        }
        Collections.shuffle(starts, random);
        List<int[]> batches = new ArrayList<>();
        for (int i = 0; i + batchSize <= starts.size(); i += batchSize) {
            int[] batch = new int[batchSize];
            for (int b = 0; b < batchSize; b++) {
                batch[b] = starts.get(i + b);
            }
            batches.add(batch);
        }
        return batches;
    }

    private static List<int[]> planSequential(int length, int batchSize, int numSteps, Random random) {
        int offset = random.nextInt(numSteps + 1);
        int rowLength = Math.max(length - offset - 1, 0) / batchSize;
        int count = rowLength / numSteps;
        List<int[]> batches = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int[] batch = new int[batchSize];
            for (int b = 0; b < batchSize; b++) {
                batch[b] = offset + b * rowLength + i * numSteps;
            }
            batches.add(batch);
        }
        return batches;
    }

    /**
     * Fills inputs and labels of one batch, row-major (B, T).
     *
     * @param inputs receives {@code corpus[start + t]}
     * @param labels receives {@code corpus[start + t + 1]}
     */
    public static void fill(int[] corpus, int[] starts, int numSteps, long[] inputs, long[] labels) {
        for (int b = 0; b < starts.length; b++) {
            int base = b * numSteps;
            for (int t = 0; t < numSteps; t++) {
                inputs[base + t] = corpus[starts[b] + t];
                labels[base + t] = corpus[starts[b] + t + 1];
            }
        }
    }
}
