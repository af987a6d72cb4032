package dev.charlm.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlm.contract.Cell;
import dev.charlm.contract.ModelMetadata;
import dev.charlm.contract.Precision;
import dev.charlm.contract.Preprocessing;
import dev.charlm.sdk.BuiltInModel;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.trainer.data.Library;
import dev.charlm.trainer.study.HeldOutTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The models shipped in the sdk. Each one's held-out perplexity is recomputed here from the
 * shipped file and the texts (the trainer's split, as {@code charlm evaluate} computes it) and
 * must match the figure recorded in its metadata and the figures README gives; each int8 twin
 * scores the library's held-out parts within the quantizer's tolerance of its fp32 model.
 */
class BuiltInModelsTest {

    static final Path ROOT = Path.of(System.getProperty("charlm.root"));
    /** README's figures have three decimals. */
    static final double PRINTED = 0.0005 + 1e-6;
    static HeldOutTable.Split split;
    static String readme;

    @BeforeAll
    static void load() throws Exception {
        split = HeldOutTable.Split.load(List.of(Library.NAME, Library.MORE), false);
        readme = Files.readString(ROOT.resolve("README.md"));
    }

    @Test
    void theDefaultModelIsTheChapters2x256LstmOnTheLibraryAndReadmeGivesItsFigures() throws Exception {
        try (CharModel model = CharModel.loadBuiltIn(BuiltInModel.DEFAULT, Precision.FP32, ModelOptions.forScoring())) {
            ModelMetadata md = model.info().metadata();
            assertShape(md, 256);
            assertEquals(trainingFiles(Library.texts().stream()), md.trainingData(),
                    "trained on the library's twelve novels, in manifest order");

            HeldOutTable.Column c = EvaluateCommand.column("default", model, split, null);
            double library = split.perplexity(c, Library.NAME);
            assertEquals(md.heldOutPerplexity().orElseThrow(), library, library * 1e-4,
                    "the figure recorded at export covers the twelve held-out parts");
            double[] printed = readmeRow("the built-in 2x256 LSTM");
            assertEquals(printed[0], library, PRINTED);
            assertEquals(printed[1], split.perplexity(c, Library.MORE), PRINTED);
        }
    }

    @Test
    void theLargeModelIsA2x384LstmOnAllThirtyThreeNovelsAndReadmeGivesItsFigures() throws Exception {
        try (CharModel model = CharModel.loadBuiltIn(BuiltInModel.LARGE, Precision.FP32, ModelOptions.forScoring())) {
            ModelMetadata md = model.info().metadata();
            assertShape(md, 384);
            assertEquals(trainingFiles(Stream.concat(Library.texts().stream(), Library.more().stream())),
                    md.trainingData(), "trained on the library and the further novels, in manifest order");

            HeldOutTable.Column c = EvaluateCommand.column("large", model, split, null);
            double all = split.perplexity(c, 0, split.corpus().sources().size());
            assertEquals(md.heldOutPerplexity().orElseThrow(), all, all * 1e-4,
                    "the figure recorded at export covers all 33 held-out parts");
            double[] printed = readmeRow("the large 2x384 LSTM");
            assertEquals(printed[0], split.perplexity(c, Library.NAME), PRINTED);
            assertEquals(printed[1], split.perplexity(c, Library.MORE), PRINTED);
        }
    }

    /** Each int8 twin scores the twelve library parts within the quantizer's tolerance of its fp32 model. */
    @Test
    void eachInt8TwinScoresTheHeldOutTextWithinTolerance() throws Exception {
        HeldOutTable.Split library = HeldOutTable.Split.load(List.of(Library.NAME), false);
        for (BuiltInModel m : BuiltInModel.values()) {
            try (CharModel fp32 = CharModel.loadBuiltIn(m, Precision.FP32, ModelOptions.forScoring());
                    CharModel int8 = CharModel.loadBuiltIn(m, Precision.INT8, ModelOptions.forScoring())) {
                assertEquals(Precision.INT8, int8.info().precision(), m.id());
                assertEquals(fp32.info().metadata().trainingData(), int8.info().metadata().trainingData(), m.id());
                double a = library.perplexity(EvaluateCommand.column("fp32", fp32, library, null), Library.NAME);
                double b = library.perplexity(EvaluateCommand.column("int8", int8, library, null), Library.NAME);
                assertTrue(Math.abs(b - a) / a <= Quantizer.TOLERANCE, m.id() + ": fp32 " + a + ", int8 " + b);
            }
        }
    }

    private static void assertShape(ModelMetadata md, int hidden) {
        assertEquals(Cell.LSTM, md.cell());
        assertEquals(2, md.layers());
        assertEquals(hidden, md.hidden());
        assertEquals(Preprocessing.D2L, md.preprocessing());
        assertEquals(28, md.vocabulary().size());
    }

    private static List<ModelMetadata.TrainingFile> trainingFiles(Stream<Library.Text> texts) {
        return texts.map(t -> new ModelMetadata.TrainingFile(t.fileName(), t.sha256())).toList();
    }

    /** The two figures of README's row for a model: the twelve library novels, the 21 more. */
    private static double[] readmeRow(String model) {
        Matcher m = Pattern.compile("\\| " + Pattern.quote(model) + "[^|]*\\| \\*\\*([0-9.]+)\\*\\* \\| \\*?\\*?([0-9.]+)")
                .matcher(readme);
        assertTrue(m.find(), "README lacks the row '| " + model + " ... | **X** | Y |'");
        return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))};
    }
}
