package dev.charlm.trainer;

import dev.charlm.contract.Preprocessing;
import dev.charlm.trainer.model.CellType;
import dev.charlm.trainer.model.Implementation;
import dev.charlm.trainer.train.TrainingSettings;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything a training run needs.
 *
 * @param data files or directories to train on (the last {@code holdout} of each is held out)
 * @param preprocessing text mode
 * @param holdout held-out fraction of each file, in (0, 1)
 * @param cell recurrent cell
 * @param implementation builtin or scratch recurrent stack
 * @param layers recurrent layers
 * @param hidden hidden units per layer
 * @param dropout dropout between layers
 * @param settings optimisation settings
 * @param out checkpoint directory
 */
public record TrainingRequest(List<Path> data, Preprocessing preprocessing, double holdout,
        CellType cell, Implementation implementation, int layers, int hidden, float dropout,
        TrainingSettings settings, Path out) {

    public TrainingRequest {
        data = List.copyOf(data);
        if (data.isEmpty()) {
            throw new IllegalArgumentException("no training data given");
        }
        if (!(holdout > 0 && holdout < 1)) {
            throw new IllegalArgumentException("--holdout must be in (0, 1), got " + holdout);
        }
        if (layers < 1) {
            throw new IllegalArgumentException("--layers must be positive, got " + layers);
        }
        if (hidden < 1) {
            throw new IllegalArgumentException("--hidden must be positive, got " + hidden);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("--dropout must be in [0, 1), got " + dropout);
        }
    }

    public TrainingRequest withCell(CellType newCell, Path newOut) {
        return new TrainingRequest(data, preprocessing, holdout, newCell, implementation, layers,
                hidden, dropout, settings, newOut);
    }
}
