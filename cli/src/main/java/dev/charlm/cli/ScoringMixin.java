package dev.charlm.cli;

import dev.charlm.sdk.ScoringMode;
import dev.charlm.sdk.ScoringOptions;
import picocli.CommandLine.Option;

/**
 * How texts are cut for scoring, as {@link ScoringOptions} has it; its builder owns the rules
 * (positive segments, a warm-up shorter than its segment, no segments in exact mode).
 */
public class ScoringMixin {

    @Option(names = "--exact", description = "Score each text on one batch row, the state carried through the whole"
            + " text (the trainer's definition; a long text then scores at one row's speed).")
    boolean exact;

    @Option(names = "--segment", paramLabel = "BYTES",
            description = "Segment length: longer texts are cut into segments scored side by side. Default: "
                    + ScoringOptions.DEFAULT_SEGMENT_BYTES + ".")
    Long segment;

    @Option(names = "--warmup", paramLabel = "BYTES",
            description = "Text before each segment its state is warmed up on. Default: "
                    + ScoringOptions.DEFAULT_WARMUP_BYTES + ".")
    Long warmup;

    /** The options asked for. */
    public ScoringOptions options() {
        ScoringOptions.Builder b = ScoringOptions.builder().mode(exact ? ScoringMode.EXACT : ScoringMode.SEGMENTED);
        if (segment != null) {
            b.segmentBytes(segment);
        }
        if (warmup != null) {
            b.warmupBytes(warmup);
        }
        return b.build();
    }
}
