package dev.charlm.trainer;

import dev.charlm.contract.InvalidFieldException;
import dev.charlm.contract.Preprocessing;
import dev.charlm.trainer.data.CorpusSpec;
import dev.charlm.contract.Cell;
import dev.charlm.trainer.model.Implementation;
import dev.charlm.trainer.train.TrainingSettings;
import java.nio.file.Path;

/**
 * Everything a training run needs.
 *
 * @param data the texts to train on and to evaluate
 * @param preprocessing text mode
 * @param holdout held-out fraction of each file, in (0, 1)
 * @param cell recurrent cell
 * @param implementation builtin or scratch recurrent stack
 * @param layers recurrent layers
 * @param hidden hidden units per layer
 * @param dropout dropout on each recurrent layer's output
 * @param settings optimisation settings
 * @param out checkpoint directory
 */
public record TrainingRequest(CorpusSpec data, Preprocessing preprocessing, double holdout,
        Cell cell, Implementation implementation, int layers, int hidden, float dropout,
        TrainingSettings settings, Path out) {

    public TrainingRequest {
        if (!(holdout > 0 && holdout < 1)) {
            throw new InvalidFieldException("holdout", "must be in (0, 1), got " + holdout);
        }
        if (layers < 1) {
            throw new InvalidFieldException("layers", "must be positive, got " + layers);
        }
        if (hidden < 1) {
            throw new InvalidFieldException("hidden", "must be positive, got " + hidden);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new InvalidFieldException("dropout", "must be in [0, 1), got " + dropout);
        }
    }

    public TrainingRequest withCell(Cell newCell, Path newOut) {
        return new TrainingRequest(data, preprocessing, holdout, newCell, implementation, layers,
                hidden, dropout, settings, newOut);
    }

    public TrainingRequest withData(CorpusSpec newData, Path newOut) {
        return new TrainingRequest(newData, preprocessing, holdout, cell, implementation, layers,
                hidden, dropout, settings, newOut);
    }

    public TrainingRequest withSettings(TrainingSettings newSettings, float newDropout, Path newOut) {
        return new TrainingRequest(data, preprocessing, holdout, cell, implementation, layers,
                hidden, newDropout, newSettings, newOut);
    }
}
