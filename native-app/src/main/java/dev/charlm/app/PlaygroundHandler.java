package dev.charlm.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /} and its two files: the playground page, served from the jar. The page asks
 * nothing of any other host, and the Content-Security-Policy header makes the browser hold it to
 * that: scripts, styles and requests from this server only, no inline code, no frames.
 */
final class PlaygroundHandler implements Exchanges.Endpoint {

    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final byte[] content;
    private final String contentType;

    /** @param file a file of the page, in this package's {@code playground} folder */
    PlaygroundHandler(String file, String contentType) {
        try (InputStream in = PlaygroundHandler.class.getResourceAsStream("playground/" + file)) {
            if (in == null) {
                throw new IllegalStateException("playground/" + file + " is not in the jar");
            }
            this.content = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.contentType = contentType;
    }

    @Override
    public void handle(Exchange ex) {
        ex.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ex.setHeader("X-Content-Type-Options", "nosniff");
        ex.setHeader("Referrer-Policy", "no-referrer");
        ex.setHeader("Cache-Control", "no-cache");
        ex.send(200, contentType, content);
    }
}
