package dev.charlm.spark;

import dev.charlm.contract.InvalidTextException;
import dev.charlm.sdk.TextSource;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.security.AccessControlException;

/**
 * A text on any Hadoop file system ({@code file:}, {@code hdfs:}, {@code s3a:}), read by byte
 * ranges: an executor reads only the segments it scores, never the whole file.
 */
final class HadoopTextSource implements TextSource {

    private final String path;
    private final long size;
    private final Configuration conf;

    /**
     * @param size as the driver listed it: segments were planned from it
     */
    HadoopTextSource(String path, long size, Configuration conf) {
        this.path = path;
        this.size = size;
        this.conf = conf;
    }

    @Override
    public String name() {
        return path;
    }

    @Override
    public java.util.OptionalLong size() {
        return java.util.OptionalLong.of(size);
    }

    @Override
    public ReadableByteChannel open(long position) throws IOException {
        Path p = new Path(path);
        FSDataInputStream in;
        try {
            FileSystem fs = p.getFileSystem(conf);
            in = fs.open(p);
        } catch (FileNotFoundException e) {
            throw new InvalidTextException(path, "no such file");
        } catch (AccessControlException e) {
            throw new InvalidTextException(path, "cannot be read (permission denied)");
        }
        try {
            in.seek(position);
        } catch (IOException e) {
            in.close();
            throw e;
        }
        return Channels.newChannel(in);
    }
}
