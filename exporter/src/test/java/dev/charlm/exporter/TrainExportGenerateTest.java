package dev.charlm.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.charlm.contract.Preprocessing;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.GenerationOptions;
import dev.charlm.sdk.GenerationSession;
import dev.charlm.sdk.ScoreReport;
import dev.charlm.trainer.TrainingRequest;
import dev.charlm.trainer.TrainingOutcome;
import dev.charlm.trainer.TrainingRun;
import dev.charlm.trainer.data.CorpusSpec;
import dev.charlm.trainer.data.Partitioning;
import dev.charlm.contract.Cell;
import dev.charlm.trainer.model.Implementation;
import dev.charlm.trainer.train.GreedyPrediction;
import dev.charlm.trainer.train.OptimizerKind;
import dev.charlm.trainer.train.ProgressListener;
import dev.charlm.trainer.train.TrainingSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole pipeline on freshly trained weights: the sdk's greedy text from "time traveller" is
 * exactly the trainer's sample (d2l's predict_ch8), and the sdk's held-out perplexity is the
 * trainer's validation perplexity.
 */
class TrainExportGenerateTest {

    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(Cell.class)
    void sdkGreedyTextIsTheTrainersSample(Cell cell) throws Exception {
        String book = Files.readString(Path.of(System.getProperty("charlm.shared.data"), "timemachine.txt"));
        Path text = Files.writeString(dir.resolve("slice.txt"), book.substring(0, 20_000));
        TrainingRequest request = new TrainingRequest(CorpusSpec.of(List.of(text)), Preprocessing.D2L, 0.1, cell,
                Implementation.BUILTIN, 2, 32, 0f,
                TrainingSettings.basic(Partitioning.SEQUENTIAL, OptimizerKind.ADAM, 0.01f, 1f, 3, 16, 20, 11),
                dir.resolve("ckpt"));
        TrainingOutcome trained = new TrainingRun(new PrintStream(new ByteArrayOutputStream()),
                new ProgressListener() {}).train(request);
        Path onnx = dir.resolve("model.onnx");
        new Exporter().export(trained.checkpoint(), onnx);

        try (CharModel model = CharModel.load(onnx)) {
            GenerationSession session = model.newSession();
            session.feed(GreedyPrediction.CHAPTER_PREFIX);
            String sdkText = GreedyPrediction.CHAPTER_PREFIX
                    + session.generate(GenerationOptions.greedy(GreedyPrediction.CHAPTER_LENGTH), null).text();
            assertEquals(trained.sample(), sdkText);

            String heldOut = Preprocessing.D2L.apply(book.substring(0, 20_000));
            heldOut = heldOut.substring(heldOut.length() - (int) Math.round(heldOut.length() * 0.1));
            ScoreReport score = model.newScorer().score("held-out", heldOut);
            double trainer = trained.last().validationPerplexity();
            assertEquals(trainer, score.perplexity(), trainer * 1e-4);
        }
    }
}
