package dev.charlm.sdk.internal;

/** Advances one sequence by one token: state in place, next-token logits out. */
public interface Stepper {

    /**
     * @param token the token fed
     * @param h hidden state (layers x hidden), advanced in place
     * @param c cell state for LSTM (else null), advanced in place
     * @param logits receives the next-token logits
     */
    void step(int token, float[] h, float[] c, float[] logits);
}
