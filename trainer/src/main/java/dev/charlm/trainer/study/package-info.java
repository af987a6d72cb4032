/**
 * The chapter's exercises answered by measurement ({@code charlm study}): recipes for the 2x256
 * LSTM, GRU against LSTM at equal time, data scaling and author mixing, each next to the
 * interpolated character 5-gram ({@link dev.charlm.trainer.study.CharNgram}) on the same split.
 */
package dev.charlm.trainer.study;
