package dev.charlm.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.charlm.contract.Preprocessing;
import dev.charlm.contract.Vocabulary;
import dev.charlm.trainer.model.CharRnnModel;

/**
 * d2l's {@code predict_ch8}: warm the state up on the prefix from a zero state, then append the
 * most likely next character {@code n} times. Returns the prefix followed by the new characters.
 */
public final class GreedyPrediction {

    /** The chapter's prefix. */
    public static final String CHAPTER_PREFIX = "time traveller";
    /** The chapter's sample length. */
    public static final int CHAPTER_LENGTH = 50;

    private GreedyPrediction() {}

    public static String predict(CharRnnModel model, Vocabulary vocab, Preprocessing preprocessing,
            String prefix, int n) {
        String text = preprocessing.apply(prefix);
        if (text.isEmpty()) {
            throw new IllegalArgumentException("prefix '" + prefix + "' is empty after preprocessing");
        }
        int[] ids = vocab.encode(text);
        StringBuilder out = new StringBuilder(text);
        try (NDManager scope = model.newScope()) {
            long[] prefixIds = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                prefixIds[i] = ids[i];
            }
            NDList result = model.forward(scope.create(prefixIds, new Shape(1, ids.length)),
                    model.zeroState(scope, 1), false);
            for (int i = 0; i < n; i++) {
                NDArray last = result.get(0).get(0).get(-1); // logits of the last position (V)
                int next = (int) last.argMax().getLong();
                out.append(vocab.token(next));
                NDList state = result.subNDList(1);
                result = model.forward(scope.create(new long[] {next}, new Shape(1, 1)), state, false);
            }
        }
        return out.toString();
    }
}
