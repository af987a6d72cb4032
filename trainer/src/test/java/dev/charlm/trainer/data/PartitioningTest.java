package dev.charlm.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PartitioningTest {

    /** A Random whose nextInt answers are scripted, then 0. */
    static final class ScriptedRandom extends Random {
        private static final long serialVersionUID = 1L;
        private final Deque<Integer> answers = new ArrayDeque<>();

        ScriptedRandom(int... answers) {
            for (int a : answers) {
                this.answers.add(a);
            }
        }

        @Override
        public int nextInt(int bound) {
            return answers.isEmpty() ? 0 : answers.poll();
        }
    }

    @Test
    void randomSamplingGivesD2lWindows() {
        // 20 tokens, offset 1, windows of 3: starts 1,4,7,10,13,16 (6 = (20 - 1 - 1) / 3).
        // Collections.shuffle with nextInt(i) = 0 swaps (i-1, 0) for i = 6..2: 4,7,10,13,16,1.
        List<int[]> plan = Partitioning.RANDOM.plan(20, 2, 3, new ScriptedRandom(1));
        assertEquals(3, plan.size());
        assertArrayEquals(new int[] {4, 7}, plan.get(0));
        assertArrayEquals(new int[] {10, 13}, plan.get(1));
        assertArrayEquals(new int[] {16, 1}, plan.get(2));
    }

    @Test
    void sequentialSamplingWalksAlongRows() {
        // 20 tokens, offset 1: rows of (20 - 1 - 1) / 2 = 9 tokens starting at 1 and 10.
        List<int[]> plan = Partitioning.SEQUENTIAL.plan(20, 2, 3, new ScriptedRandom(1));
        assertEquals(3, plan.size());
        assertArrayEquals(new int[] {1, 10}, plan.get(0));
        assertArrayEquals(new int[] {4, 13}, plan.get(1));
        assertArrayEquals(new int[] {7, 16}, plan.get(2));
    }

    @Test
    void fillCopiesWindowsAndShiftedLabels() {
        int[] corpus = new int[20];
        for (int i = 0; i < corpus.length; i++) {
            corpus[i] = 100 + i;
        }
        long[] x = new long[6];
        long[] y = new long[6];
        Partitioning.fill(corpus, new int[] {16, 1}, 3, x, y);
        assertArrayEquals(new long[] {116, 117, 118, 101, 102, 103}, x);
        assertArrayEquals(new long[] {117, 118, 119, 102, 103, 104}, y);
    }

    @Test
    void windowsStayInsideTheCorpusForAnySeed() {
        for (Partitioning s : Partitioning.values()) {
            for (int seed = 0; seed < 200; seed++) {
                int length = 50 + seed;
                for (int[] batch : s.plan(length, 4, 5, new Random(seed))) {
                    for (int start : batch) {
                        assertTrue(start >= 0 && start + 5 + 1 <= length, s + " start " + start);
                    }
                }
            }
        }
    }

    @Test
    void tooShortCorpusIsRefused() {
        // The command line's advice ("lower --batch-size or --num-steps") is TrainCommandTest's.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Partitioning.SEQUENTIAL.plan(30, 32, 35, new Random(0)));
        assertEquals("training text has 30 characters, too few for one batch of 32 x 35", e.getMessage());
    }
}
