package dev.charlm.contract;

/**
 * Names fixed by the charlm model format, defined once. A checkpoint's config JSON and a frozen
 * model's metadata use these keys ({@link ModelMetadata} reads and writes the latter); tensor
 * names are those of the frozen model's graph; cells are {@link Cell}s.
 */
public final class ModelContract {

    /** Version of the checkpoint config and of the frozen model's metadata layout. */
    public static final int FORMAT_VERSION = 1;

    /** The token that stands for every character outside the vocabulary; always id 0. */
    public static final String UNK_TOKEN = "<unk>";

    /** Id of {@link #UNK_TOKEN}. */
    public static final int UNK_ID = 0;

    // Keys shared by the checkpoint config and the frozen model's metadata.
    public static final String KEY_FORMAT_VERSION = "charlm.format_version";
    public static final String KEY_CELL = "charlm.cell";
    public static final String KEY_LAYERS = "charlm.layers";
    public static final String KEY_HIDDEN = "charlm.hidden";
    public static final String KEY_DROPOUT = "charlm.dropout";
    public static final String KEY_PREPROCESSING = "charlm.preprocessing";
    public static final String KEY_VOCAB = "charlm.vocab";
    public static final String KEY_UNK_ID = "charlm.unk_id";
    public static final String KEY_IMPL = "charlm.impl";

    // Keys only a frozen model carries.
    /** JSON array of {"file": name, "sha256": hex} for every training file. */
    public static final String KEY_TRAINING_DATA = "charlm.training_data";
    /** Held-out perplexity measured on the frozen model at export, as a decimal string. */
    public static final String KEY_HELDOUT_PERPLEXITY = "charlm.heldout_perplexity";
    /** Number of held-out characters that perplexity was measured on. */
    public static final String KEY_HELDOUT_CHARACTERS = "charlm.heldout_characters";
    /** {@link Precision} of the recurrent weights; absent means fp32. */
    public static final String KEY_PRECISION = "charlm.precision";
    /** A quantized model's origin: SHA-256 of the fp32 ONNX file, or of the checkpoint's weights.bin. */
    public static final String KEY_QUANTIZED_FROM = "charlm.quantized_from";
    /** The ONNX Runtime domain of the int8 kernels, imported by int8 files. */
    public static final String CONTRIB_DOMAIN = "com.microsoft";

    // Tensor names of the frozen model's graph.
    /** Input: token ids, int64 [batch, seq]. */
    public static final String TOKENS = "tokens";
    /** Input: initial hidden state, float [layers, batch, hidden]. */
    public static final String H0 = "h0";
    /** Input (LSTM only): initial cell state, float [layers, batch, hidden]. */
    public static final String C0 = "c0";
    /** Output: next-character logits, float [batch, seq, vocab]. */
    public static final String LOGITS = "logits";
    /** Output: final hidden state, float [layers, batch, hidden]. */
    public static final String HN = "hn";
    /** Output (LSTM only): final cell state, float [layers, batch, hidden]. */
    public static final String CN = "cn";
    /** Names of the dynamic dimensions. */
    public static final String DIM_BATCH = "batch";
    public static final String DIM_SEQ = "seq";

    private ModelContract() {}
}
