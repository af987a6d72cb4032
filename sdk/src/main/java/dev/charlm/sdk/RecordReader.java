package dev.charlm.sdk;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The records of one file, read a line at a time ({@link RecordParser}'s rule), so a file of any
 * size is read in constant memory: only the line at hand is held. Lines end at {@code \n}; a
 * {@code \r} before it is dropped. A line longer than {@link #MAX_RECORD_BYTES} becomes an
 * invalid record and is skipped without being held. If the file cannot be read part way, the
 * last record says so and the iteration ends.
 */
public final class RecordReader implements Iterator<TextRecord>, Closeable {

    /** The longest line taken as a record: 64 MiB. */
    public static final int MAX_RECORD_BYTES = 64 << 20;

    private final String source;
    private final RecordParser parser;
    private final InputStream in;
    private byte[] line = new byte[8192];
    private long lineNumber;
    private TextRecord next;
    private boolean ended;

    private RecordReader(String source, RecordParser parser, InputStream in) {
        this.source = source;
        this.parser = parser;
        this.in = new BufferedInputStream(in, 1 << 16);
    }

    /** Opens a file's records; its name in the records is the path as given. */
    public static RecordReader open(Path file, RecordParser parser) throws IOException {
        return new RecordReader(file.toString(), parser, Files.newInputStream(file));
    }

    /** The records of a stream (not closed by the reader's close when it is the caller's). */
    public static RecordReader of(String source, RecordParser parser, InputStream in) {
        return new RecordReader(source, parser, in);
    }

    /**
     * The records of several files, one after the other, each file open only while it is read. A
     * file that cannot be opened is one invalid record (line 0) saying why.
     */
    public static Iterator<TextRecord> files(List<Path> files, RecordParser parser) {
        return new Iterator<>() {
            private int at;
            private RecordReader current;
            private TextRecord failed;

            @Override
            public boolean hasNext() {
                while (failed == null && (current == null || !current.hasNext())) {
                    if (current != null) {
                        current.close();
                        current = null;
                    }
                    if (at == files.size()) {
                        return false;
                    }
                    Path f = files.get(at++);
                    try {
                        if (Files.isDirectory(f)) {
                            failed = TextRecord.invalid(f.toString(), 0, null, "is a directory");
                        } else {
                            current = open(f, parser);
                        }
                    } catch (NoSuchFileException e) {
                        failed = TextRecord.invalid(f.toString(), 0, null, "no such file");
                    } catch (AccessDeniedException e) {
                        failed = TextRecord.invalid(f.toString(), 0, null, "permission denied");
                    } catch (IOException e) {
                        failed = TextRecord.invalid(f.toString(), 0, null, "cannot be read (" + e.getMessage() + ")");
                    }
                }
                return true;
            }

            @Override
            public TextRecord next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                if (failed != null) {
                    TextRecord r = failed;
                    failed = null;
                    return r;
                }
                return current.next();
            }
        };
    }

    @Override
    public boolean hasNext() {
        while (next == null && !ended) {
            next = readRecord();
        }
        return next != null;
    }

    @Override
    public TextRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        TextRecord r = next;
        next = null;
        return r;
    }

    /** The next line's record, null for a blank line; sets {@code ended} at the end. */
    private TextRecord readRecord() {
        int length = 0;
        boolean tooLong = false;
        boolean any = false;
        try {
            for (int b = in.read(); ; b = in.read()) {
                if (b < 0) {
                    ended = true;
                    if (!any) {
                        return null;
                    }
                    break;
                }
                any = true;
                if (b == '\n') {
                    break;
                }
                if (length == MAX_RECORD_BYTES) {
                    tooLong = true;
                    continue;
                }
                if (length == line.length) {
                    line = Arrays.copyOf(line, Math.min(MAX_RECORD_BYTES, line.length * 2));
                }
                line[length++] = (byte) b;
            }
        } catch (IOException e) {
            ended = true;
            return TextRecord.invalid(source, lineNumber + 1, null, "cannot be read (" + e.getMessage() + ")");
        }
        lineNumber++;
        if (tooLong) {
            return TextRecord.invalid(source, lineNumber, null, "is longer than " + (MAX_RECORD_BYTES >> 20) + " MiB");
        }
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        if (length == 0 || (lineNumber == 1 && length == 3 && (line[0] & 0xff) == 0xEF && (line[1] & 0xff) == 0xBB
                && (line[2] & 0xff) == 0xBF)) {
            return null; // a blank line is not a record
        }
        return parser.parse(source, lineNumber, Arrays.copyOf(line, length));
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
