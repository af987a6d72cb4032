package dev.charlm.sdk;

/**
 * The score of one text: every character predicted from all before it, the state carried through
 * the whole text from a zero state (the trainer's validation perplexity). A text of n
 * characters after preprocessing gives n - 1 predictions.
 *
 * @param name the file or stream name
 * @param characters characters after preprocessing
 * @param predictions characters scored (characters - 1)
 * @param unknownCharacters characters outside the vocabulary, scored as {@code <unk>}
 * @param totalNll sum of the predictions' negative log-likelihoods, natural log
 */
public record ScoreReport(String name, long characters, long predictions, long unknownCharacters, double totalNll) {

    /** exp(mean cross-entropy). */
    public double perplexity() {
        return Math.exp(totalNll / predictions);
    }

    /** Mean cross-entropy in bits. */
    public double bitsPerCharacter() {
        return totalNll / predictions / Math.log(2);
    }

    /** The score of several texts together (total NLL over total predictions). */
    public static ScoreReport total(String name, Iterable<ScoreReport> reports) {
        long chars = 0;
        long preds = 0;
        long unk = 0;
        double nll = 0;
        for (ScoreReport r : reports) {
            chars += r.characters;
            preds += r.predictions;
            unk += r.unknownCharacters;
            nll += r.totalNll;
        }
        return new ScoreReport(name, chars, preds, unk, nll);
    }
}
