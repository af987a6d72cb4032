package example;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AppTest {

    @Test
    void generatesAndScoresThroughTheInstalledSdk() throws Exception {
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            App.main(new String[] {"time traveller"});
        } finally {
            System.setOut(stdout);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        String[] lines = text.strip().split("\n");
        assertTrue(lines[0].startsWith("time traveller") && lines[0].length() == "time traveller".length() + 40, text);
        assertTrue(lines[1].matches("perplexity \\d+\\.\\d{3} over 37 characters"), text);
    }
}
