package dev.charlm.sdk;

/** Why a generation ended. */
public enum FinishReason {
    /** It produced {@link GenerationOptions#maxCharacters()} characters. */
    LENGTH,
    /** The generated text ended with one of the stop strings. */
    STOP_STRING
}
