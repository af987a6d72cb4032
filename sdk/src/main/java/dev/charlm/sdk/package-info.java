/**
 * The charlm sdk: load a frozen character model ({@link dev.charlm.sdk.CharModel}), stream text
 * from it with the hidden state kept between calls ({@link dev.charlm.sdk.GenerationSession}),
 * and score the perplexity of texts ({@link dev.charlm.sdk.PerplexityScorer}).
 *
 * <pre>{@code
 * try (CharModel model = CharModel.loadDefault()) {
 *     GenerationSession session = model.newSession();
 *     session.feed("time traveller");
 *     GenerationResult r = session.generate(GenerationOptions.greedy(50), System.out::print);
 *     ScoreReport s = model.newScorer().score(Path.of("book.txt"));
 * }
 * }</pre>
 *
 * <p>Only ONNX Runtime is needed at run time: no DJL, no protobuf runtime.
 */
package dev.charlm.sdk;
