package dev.charlm.app;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A minimal multipart/form-data reader: the parts of a body already read into memory. */
final class Multipart {

    /** One part: its field name, file name (may be null) and content. */
    record Part(String name, String filename, byte[] content) {}

    private static final Pattern BOUNDARY = Pattern.compile("boundary=\"?([^\";]+)\"?");
    private static final Pattern NAME = Pattern.compile("\\bname=\"([^\"]*)\"");
    private static final Pattern FILENAME = Pattern.compile("\\bfilename=\"([^\"]*)\"");

    private Multipart() {}

    static String boundary(String contentType) {
        Matcher m = BOUNDARY.matcher(contentType);
        if (!m.find()) {
            throw new IllegalArgumentException("multipart/form-data without a boundary");
        }
        return m.group(1);
    }

    /** A body with more parts than allowed. */
    static final class TooManyPartsException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        TooManyPartsException(int max) {
            super("multipart body has more than " + max + " parts");
        }
    }

    /**
     * The parts of a body, at most {@code maxParts} of them.
     *
     * @throws TooManyPartsException past {@code maxParts}, before reading further
     */
    static List<Part> parse(byte[] body, String boundary, int maxParts) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        List<Part> parts = new ArrayList<>();
        int pos = indexOf(body, delimiter, 0);
        if (pos < 0) {
            throw new IllegalArgumentException("multipart body has no boundary line");
        }
        while (true) {
            pos += delimiter.length;
            if (pos + 1 < body.length && body[pos] == '-' && body[pos + 1] == '-') {
                return parts; // closing delimiter
            }
            pos = skipLineBreak(body, pos);
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), pos);
            if (headersEnd < 0) {
                throw new IllegalArgumentException("multipart part without a header end");
            }
            String headers = new String(body, pos, headersEnd - pos, StandardCharsets.UTF_8);
            int contentStart = headersEnd + 4;
            int next = indexOf(body, delimiter, contentStart);
            if (next < 0) {
                throw new IllegalArgumentException("multipart body is not closed");
            }
            int contentEnd = next >= 2 && body[next - 2] == '\r' && body[next - 1] == '\n' ? next - 2 : next;
            if (parts.size() == maxParts) {
                throw new TooManyPartsException(maxParts);
            }
            Matcher name = NAME.matcher(headers);
            Matcher filename = FILENAME.matcher(headers);
            parts.add(new Part(name.find() ? name.group(1) : "", filename.find() ? filename.group(1) : null,
                    Arrays.copyOfRange(body, contentStart, contentEnd)));
            pos = next;
        }
    }

    private static int skipLineBreak(byte[] b, int pos) {
        if (pos + 1 < b.length && b[pos] == '\r' && b[pos + 1] == '\n') {
            return pos + 2;
        }
        return pos;
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
