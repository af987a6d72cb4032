package dev.charlm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.charlm.sdk.CharModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The playground in a real browser: Debian's chromium, headless, driven by Selenium through
 * Debian's chromium-driver (.ci/run installs both; -Dcharlm.chromium and -Dcharlm.chromedriver
 * point elsewhere). The page is served by a real server on loopback; what it shows is checked
 * against what the API answers, and the browser's console must stay free of errors (a script
 * error, a request the Content-Security-Policy blocked, a missing file). Screenshots go to
 * target/.
 */
class PlaygroundBrowserIT {

    static final String TEXT = "The Time Traveller (for so it will be convenient to speak of him) was expounding a"
            + " recondite matter to us. His grey eyes shone and twinkled, and his usually pale face was flushed and"
            + " animated. The fire burned brightly, and the soft radiance of the incandescent lights in the lilies of"
            + " silver caught the bubbles that flashed and passed in our glasses.";

    static CharModel model;
    /** Characters a test generation asks for: minutes of work, so that only Stop ends it in time. */
    static final int LONG = 1_000_000;
    static HttpApi api;
    static URI base;
    static ChromeDriver browser;
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        model = CharModel.loadDefault();
        api = new HttpApi(model, model, new HttpApi.Limits(4, 1 << 20, LONG, 30_000), "charlm-default", null);
        base = URI.create("http://127.0.0.1:" + api.start("127.0.0.1", 0).getPort());
        Path chromium = Path.of(System.getProperty("charlm.chromium", "/usr/bin/chromium"));
        Path driver = Path.of(System.getProperty("charlm.chromedriver", "/usr/bin/chromedriver"));
        if (!Files.isExecutable(chromium) || !Files.isExecutable(driver)) {
            throw new AssertionError("the browser test needs " + chromium + " and " + driver
                    + " (Debian: apt-get install chromium chromium-driver; .ci/run installs them)");
        }
        ChromeOptions options = new ChromeOptions().setBinary(chromium.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--no-first-run", "--disable-default-apps", "--window-size=1200,1000");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        // The driver is given, so Selenium Manager never looks for (or downloads) one.
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1200, 1000));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        api.close();
        model.close();
    }

    static WebDriverWait waiting(int seconds) {
        return new WebDriverWait(browser, Duration.ofSeconds(seconds), Duration.ofMillis(20));
    }

    static String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    static void type(String id, String value) {
        WebElement e = browser.findElement(By.id(id));
        e.clear();
        e.sendKeys(value);
    }

    static JsonNode completion(String body) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/v1/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return json.readTree(r.body());
    }

    static void screenshot(String name) throws Exception {
        Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Files.createDirectories(Path.of("target"));
        Files.copy(shot, Path.of("target", name), StandardCopyOption.REPLACE_EXISTING);
    }

    static List<String> consoleErrors() {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).map(LogEntry::getMessage)
                .collect(Collectors.toList());
    }

    @Test
    @Timeout(120)
    void generationStreamsWhileWatchedAndStopEndsTheServersWork() throws Exception {
        browser.get(base.resolve("/").toString());
        waiting(10).until(d -> text("model-line").contains("charlm-default"));
        type("prompt", "the time traveller");
        type("temperature", "0.8");
        type("length", Integer.toString(LONG)); // minutes of work: only Stop can end it
        type("seed", "3");
        browser.findElement(By.id("generate")).click();
        waiting(20).until(d -> text("output-text").length() > 20);
        int seen = text("output-text").length();
        waiting(20).until(d -> text("output-text").length() > seen + 100); // it grows while we watch
        assertEquals("the time traveller", text("output-prompt"));
        screenshot("playground-generate.png");
        browser.findElement(By.id("stop")).click();
        waiting(10).until(d -> text("generate-status").startsWith("Stopped after"));
        // Stop closes the connection, and the server's work for it ends.
        waiting(10).until(d -> api.requestsInFlight() == 0);
        assertTrue(browser.findElement(By.id("generate")).isEnabled());
        String shown = browser.findElement(By.id("output-text")).getAttribute("textContent");
        assertTrue(shown.length() < LONG / 10, "stopped long before the end: " + shown.length());
        // What streamed is the API's text for the same request, as far as it went.
        JsonNode whole = completion("{\"prompt\":\"the time traveller\",\"max_tokens\":" + shown.length()
                + ",\"temperature\":0.8,\"seed\":3}");
        assertEquals(shown, whole.at("/choices/0/text").asText());
        assertEquals(List.of(), consoleErrors());
    }

    @Test
    @Timeout(120)
    void theHeatMapShowsTheApisNumbers() throws Exception {
        browser.get(base.resolve("/").toString());
        waiting(10).until(d -> text("model-line").contains("charlm-default"));
        WebElement generateTab = browser.findElement(By.id("tab-generate"));
        generateTab.click();
        generateTab.sendKeys(Keys.ARROW_RIGHT); // tabs follow the keyboard
        assertEquals("true", browser.findElement(By.id("tab-surprisal")).getAttribute("aria-selected"));
        assertTrue(browser.findElement(By.id("panel-surprisal")).isDisplayed());
        type("surprisal-text", TEXT);
        browser.findElement(By.id("score")).click();
        waiting(20).until(d -> browser.findElement(By.id("summary")).isDisplayed());

        JsonNode api = completion(json.createObjectNode().put("prompt", TEXT).put("max_tokens", 0).put("echo", true)
                .put("logprobs", 5).toString()).at("/choices/0/logprobs");
        List<WebElement> spans = browser.findElements(By.cssSelector("#heatmap span"));
        assertEquals(api.get("tokens").size(), spans.size());
        double nll = 0;
        for (int i = 0; i < spans.size(); i++) {
            assertEquals(api.get("tokens").get(i).asText(), spans.get(i).getAttribute("data-character"));
            JsonNode lp = api.get("token_logprobs").get(i);
            if (lp.isNull()) {
                assertEquals(null, spans.get(i).getAttribute("data-logprob"));
            } else {
                assertEquals(lp.asDouble(), Double.parseDouble(spans.get(i).getAttribute("data-logprob")), 0.0);
                nll -= lp.asDouble();
            }
        }
        int predicted = spans.size() - 1;
        assertEquals(String.format(Locale.ROOT, "%.4f", Math.exp(nll / predicted)), text("perplexity"));
        assertEquals(String.format(Locale.ROOT, "%.4f", nll / predicted / Math.log(2)), text("bits"));
        // ... and the page's perplexity is /v1/score's.
        HttpResponse<String> score = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/v1/score"))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(TEXT)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(String.format(Locale.ROOT, "%.4f", json.readTree(score.body()).get("perplexity").asDouble()),
                text("perplexity"));
        assertTrue(browser.findElement(By.id("legend")).isDisplayed());
        assertEquals(9, browser.findElements(By.cssSelector("#legend .swatch")).size());

        // Pointing at a character shows the model's top guesses there, as the API gives them.
        new Actions(browser).moveToElement(spans.get(12)).perform();
        waiting(5).until(d -> text("detail").startsWith("Character 13:"));
        List<WebElement> rows = browser.findElements(By.cssSelector("#detail tr"));
        assertEquals(6, rows.size()); // a header and five alternatives
        Map.Entry<String, JsonNode> best = api.get("top_logprobs").get(12).fields().next();
        String shownBest = rows.get(1).findElements(By.tagName("td")).get(0).getText();
        assertTrue(shownBest.startsWith(best.getKey().equals(" ") ? "␣" : best.getKey()), shownBest);
        // ... and so does moving through the text with the keyboard.
        WebElement heatmap = browser.findElement(By.id("heatmap"));
        heatmap.sendKeys(Keys.HOME);
        heatmap.sendKeys(Keys.ARROW_RIGHT);
        heatmap.sendKeys(Keys.ARROW_RIGHT);
        waiting(5).until(d -> text("detail").startsWith("Character 3:"));
        screenshot("playground-surprisal.png");
        assertEquals(List.of(), consoleErrors());
    }

    @Test
    void thePageIsHeldToItsOwnServer() throws Exception {
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/")).build(),
                HttpResponse.BodyHandlers.ofString());
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("default-src 'none'") && csp.contains("connect-src 'self'")
                && csp.contains("script-src 'self'"), csp);
        assertTrue(!page.body().contains("http://") && !page.body().contains("https://"), "no other host named");
        assertTrue(!page.body().contains("<script>") && !page.body().contains("style="), "nothing inline");
    }
}
