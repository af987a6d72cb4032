package dev.charlm.sdk;

import dev.charlm.contract.InvalidTextException;
import dev.charlm.contract.TextFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The bytes of a text to score, read from any position: a file, bytes in memory, or anything
 * else with random access (the Spark job reads through Hadoop's file systems). A source whose
 * size is unknown (a stream) can be read once from the start, so it is scored in exact mode.
 */
public interface TextSource {

    /** Names the text in reports and messages. */
    String name();

    /** The size in bytes; empty when unknown (a stream). */
    OptionalLong size() throws IOException;

    /**
     * A channel over the bytes from {@code position} on; the caller closes it.
     *
     * @throws InvalidTextException when the source cannot be read, naming it
     */
    ReadableByteChannel open(long position) throws IOException;

    /** A file. Nothing is opened until it is read. */
    static TextSource of(Path file) {
        return new TextSource() {
            @Override
            public String name() {
                return file.toString();
            }

            @Override
            public OptionalLong size() throws IOException {
                TextFiles.checkReadable(file);
                return OptionalLong.of(java.nio.file.Files.size(file));
            }

            @Override
            public ReadableByteChannel open(long position) throws IOException {
                TextFiles.checkReadable(file); // a pipe would block forever: refused before opening
                try {
                    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                    ch.position(position);
                    return ch;
                } catch (NoSuchFileException e) {
                    throw new InvalidTextException(file, "no such file");
                } catch (AccessDeniedException e) {
                    throw new InvalidTextException(file, "cannot be read (permission denied)");
                }
            }
        };
    }

    /** Bytes in memory. */
    static TextSource of(String name, byte[] bytes) {
        return new TextSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public OptionalLong size() {
                return OptionalLong.of(bytes.length);
            }

            @Override
            public ReadableByteChannel open(long position) {
                int from = (int) Math.min(position, bytes.length);
                return Channels.newChannel(new java.io.ByteArrayInputStream(bytes, from, bytes.length - from));
            }
        };
    }

    /** A stream, read once from its start (not closed here); its size is unknown. */
    static TextSource of(String name, InputStream in) {
        AtomicBoolean opened = new AtomicBoolean();
        return new TextSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public OptionalLong size() {
                return OptionalLong.empty();
            }

            @Override
            public ReadableByteChannel open(long position) throws IOException {
                if (position != 0 || !opened.compareAndSet(false, true)) {
                    throw new IOException(name + ": a stream can be read only once, from its start");
                }
                ReadableByteChannel ch = Channels.newChannel(in);
                return new ReadableByteChannel() {
                    @Override
                    public int read(ByteBuffer dst) throws IOException {
                        return ch.read(dst);
                    }

                    @Override
                    public boolean isOpen() {
                        return true;
                    }

                    @Override
                    public void close() {
                        // the caller owns the stream
                    }
                };
            }
        };
    }
}
