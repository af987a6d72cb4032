package example;

import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.GenerationOptions;
import dev.charlm.sdk.GenerationSession;
import dev.charlm.sdk.ScoreReport;
import java.util.Locale;

/** Continues a prompt and scores a sentence with the sdk's embedded model. */
public final class App {

    public static void main(String[] args) throws Exception {
        String prompt = args.length > 0 ? args[0] : "time traveller";
        try (CharModel model = CharModel.loadDefault()) {
            GenerationSession session = model.newSession();
            session.feed(prompt);
            System.out.println(prompt + session.generate(GenerationOptions.greedy(40), null).text());
            ScoreReport r = model.newScorer().score("sentence", "the time traveller smiled round at us");
            System.out.printf(Locale.ROOT, "perplexity %.3f over %d characters%n", r.perplexity(), r.characters());
        }
    }
}
