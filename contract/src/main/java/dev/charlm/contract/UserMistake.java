package dev.charlm.contract;

/**
 * Marks an exception that is the user's mistake rather than a fault of charlm: a file that is not
 * text, a value out of range, a checkpoint that is not one, a model file that is not a model.
 * Every front end reports such an exception by its message alone, in one line, as bad usage;
 * anything else is an internal error, reported with its trace.
 */
public interface UserMistake {}
