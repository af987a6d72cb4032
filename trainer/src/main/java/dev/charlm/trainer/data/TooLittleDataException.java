package dev.charlm.trainer.data;

import dev.charlm.contract.InvalidTextException;

/** The training text cannot fill one minibatch. */
public final class TooLittleDataException extends InvalidTextException {
    private static final long serialVersionUID = 1L;

    public TooLittleDataException(String source, int characters, int batchSize, int numSteps) {
        super(source, "has " + characters + " training characters, too few for one batch of " + batchSize + " x "
                + numSteps + " (lower --batch-size or --num-steps)");
    }
}
