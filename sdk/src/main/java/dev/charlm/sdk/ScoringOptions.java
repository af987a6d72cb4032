package dev.charlm.sdk;

import dev.charlm.contract.InvalidFieldException;

/**
 * How a {@link PerplexityScorer} cuts and batches texts. Immutable; build with {@link
 * #builder()}.
 *
 * <p>Defaults (chosen by measurement, docs/results.md, "Scoring"): segmented mode, segments of {@value
 * #DEFAULT_SEGMENT_BYTES} bytes warmed up on the {@value #DEFAULT_WARMUP_BYTES} bytes before
 * them, 32 batch rows, up to 256 characters per row per call.
 */
public final class ScoringOptions implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_SEGMENT_BYTES = 16_384;
    public static final int DEFAULT_WARMUP_BYTES = 256;
    public static final int DEFAULT_ROWS = 32;
    public static final int DEFAULT_CHARACTERS_PER_CALL = 256;

    private final ScoringMode mode;
    private final long segmentBytes;
    private final long warmupBytes;
    private final int rows;
    private final int charactersPerCall;

    private ScoringOptions(Builder b) {
        this.mode = b.mode;
        this.segmentBytes = b.segmentBytes;
        this.warmupBytes = b.warmupBytes;
        this.rows = b.rows;
        this.charactersPerCall = b.charactersPerCall;
    }

    public static ScoringOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder().mode(mode).rows(rows).charactersPerCall(charactersPerCall);
        b.segmentBytes = segmentBytes;
        b.warmupBytes = warmupBytes;
        return b;
    }

    public ScoringMode mode() {
        return mode;
    }

    /** Bytes of text per segment (segmented mode). */
    public long segmentBytes() {
        return segmentBytes;
    }

    /** Bytes before a segment its state is warmed up on (segmented mode). */
    public long warmupBytes() {
        return warmupBytes;
    }

    /** Batch rows: segments (or texts) scored in one ONNX Runtime call. */
    public int rows() {
        return rows;
    }

    /** Characters of each row per call; a call is shorter when all its rows end sooner. */
    public int charactersPerCall() {
        return charactersPerCall;
    }

    /**
     * The segments of text number {@code text}: cut by its size in segmented mode, whole in exact
     * mode; a text of unknown size (a stream) is read whole, from its start.
     */
    public java.util.List<TextSegment> plan(int text, java.util.OptionalLong size) {
        if (size.isEmpty() || mode == ScoringMode.EXACT) {
            return java.util.List.of(TextSegment.whole(text));
        }
        return TextSegment.plan(text, size.getAsLong(), segmentBytes, warmupBytes);
    }

    /** Builder of {@link ScoringOptions}. */
    public static final class Builder {
        private ScoringMode mode = ScoringMode.SEGMENTED;
        private long segmentBytes = DEFAULT_SEGMENT_BYTES;
        private long warmupBytes = DEFAULT_WARMUP_BYTES;
        private int rows = DEFAULT_ROWS;
        private int charactersPerCall = DEFAULT_CHARACTERS_PER_CALL;
        /** Whether the segmentation was asked for, not defaulted: exact mode takes none. */
        private boolean segmentationSet;

        private Builder() {}

        public Builder mode(ScoringMode mode) {
            this.mode = java.util.Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Segment length in bytes; must be positive. */
        public Builder segmentBytes(long bytes) {
            if (bytes < 1) {
                throw new InvalidFieldException("segment", "must be a positive number of bytes, got " + bytes);
            }
            this.segmentBytes = bytes;
            this.segmentationSet = true;
            return this;
        }

        /** Warm-up length in bytes; must be >= 0. */
        public Builder warmupBytes(long bytes) {
            if (bytes < 0) {
                throw new InvalidFieldException("warmup", "must be >= 0 bytes, got " + bytes);
            }
            this.warmupBytes = bytes;
            this.segmentationSet = true;
            return this;
        }

        public Builder rows(int rows) {
            if (rows < 1) {
                throw new InvalidFieldException("rows", "must be positive, got " + rows);
            }
            this.rows = rows;
            return this;
        }

        public Builder charactersPerCall(int characters) {
            if (characters < 1) {
                throw new InvalidFieldException("characters_per_call", "must be positive, got " + characters);
            }
            this.charactersPerCall = characters;
            return this;
        }

        /**
         * @throws InvalidFieldException if the warm-up is not shorter than the segment (it would
         *     cost more than the segment it prepares), or exact mode is given a segmentation
         */
        public ScoringOptions build() {
            if (mode == ScoringMode.EXACT && segmentationSet) {
                throw new InvalidFieldException("exact", "scores each text whole, with no segments or warm-up;"
                        + " drop the segment and warm-up lengths");
            }
            if (mode == ScoringMode.SEGMENTED && warmupBytes >= segmentBytes) {
                throw new InvalidFieldException("warmup", "(" + warmupBytes + " bytes) must be shorter than the"
                        + " segment (" + segmentBytes + " bytes)");
            }
            return new ScoringOptions(this);
        }
    }

    @Override
    public String toString() {
        return mode == ScoringMode.EXACT ? "exact" : "segmented (" + segmentBytes + "-byte segments, " + warmupBytes
                + "-byte warm-up)";
    }
}
