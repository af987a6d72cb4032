package dev.charlm.trainer.checkpoint;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.charlm.contract.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * How a checkpoint lives in its directory, and how it is replaced without a moment where no
 * complete checkpoint exists.
 *
 * <p>The directory holds the checkpoint's files under fixed names ({@link #OWNED}) and a record,
 * {@code checkpoint.json}, naming each file with its size and SHA-256. A new generation is
 * written as hidden temporary files first; then each file is swapped in, the old one kept as
 * {@code .NAME.prev}; then the record is replaced by one rename, which is the commit; then the
 * {@code .prev} files go. A crash anywhere leaves either the old record, whose files are found
 * as {@code NAME} or {@code .NAME.prev}, or the new record with all new files in place:
 * {@link #resolve} finds the complete generation either way.
 *
 * <p>charlm only ever creates, replaces or deletes the files its record lists; other files in the
 * directory (a user's notes, an exported model, another program's {@code config.json}) are left
 * alone, and a file under one of charlm's names that the record does not list is never
 * overwritten: the write is refused before anything is written ({@link #foreignFiles}). A
 * directory is written into only if it is new, empty, or recognised as a checkpoint: it has a
 * record, or (checkpoints written before records existed) a charlm {@code config.json} beside a
 * charlm tensor file, whose files are then taken as charlm's.
 */
final class CheckpointFiles {

    static final String RECORD = "checkpoint.json";
    static final String RECORD_FORMAT = "charlm-checkpoint";
    static final int RECORD_VERSION = 1;
    /** Every name charlm writes in a checkpoint directory. */
    static final Set<String> OWNED = Set.of(Checkpoint.CONFIG, Checkpoint.WEIGHTS, Checkpoint.OPTIMIZER,
            Checkpoint.METRICS, Checkpoint.PLOT_PNG, Checkpoint.PLOT_SVG, RECORD);

    private CheckpointFiles() {}

    /** Whether {@code dir} holds a charlm checkpoint (with or without a record). */
    static boolean isCheckpoint(Path dir) {
        if (readRecord(dir) != null) {
            return true;
        }
        // Written before records existed: a charlm config beside a charlm tensor file.
        try {
            JsonObject config = JsonParser.parseString(Files.readString(dir.resolve(Checkpoint.CONFIG))).getAsJsonObject();
            return config.has(dev.charlm.contract.ModelContract.KEY_FORMAT_VERSION)
                    && TensorFile.hasMagic(dir.resolve(Checkpoint.WEIGHTS));
        } catch (IOException | JsonParseException | IllegalStateException e) {
            return false;
        }
    }

    /**
     * Files under charlm's names in {@code dir} that are not charlm's: not listed by its record
     * (or, in a checkpoint from before records, not part of it). A bare record that a run
     * interrupted by a full disk left behind lists nothing, so files another program put there
     * are not taken for charlm's.
     */
    static java.util.List<String> foreignFiles(Path dir) {
        Set<String> ours = ownedFiles(dir);
        java.util.List<String> foreign = new java.util.ArrayList<>();
        for (String name : new java.util.TreeSet<>(OWNED)) {
            if (!RECORD.equals(name) && Files.exists(dir.resolve(name), LinkOption.NOFOLLOW_LINKS)
                    && !ours.contains(name)) {
                foreign.add(name);
            }
        }
        return foreign;
    }

    /** The names charlm may replace in {@code dir}: its record's, or a record-less checkpoint's files. */
    private static Set<String> ownedFiles(Path dir) {
        JsonObject record = readRecord(dir);
        if (record != null) {
            JsonObject files = record.getAsJsonObject("files");
            return files == null ? Set.of() : Set.copyOf(files.keySet());
        }
        if (!isCheckpoint(dir)) {
            return Set.of();
        }
        java.util.Set<String> legacy = new java.util.HashSet<>();
        for (String name : OWNED) {
            if (Files.isRegularFile(dir.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
                legacy.add(name);
            }
        }
        return legacy;
    }

    /** Whether {@code dir} exists and has no entries. */
    static boolean isEmpty(Path dir) {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            return !s.iterator().hasNext();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The path holding the committed version of {@code name}: the file itself, or its {@code
     * .prev} copy when a write was interrupted after swapping it. Without a record (older
     * checkpoints), or when neither matches the record (edited by hand), the file itself, for
     * the usual checks to judge. Null when the record exists and does not list the file.
     */
    static Path resolve(Path dir, String name) {
        JsonObject record = readRecord(dir);
        Path file = dir.resolve(name);
        if (record == null) {
            return file;
        }
        JsonObject files = record.getAsJsonObject("files");
        if (files == null || !files.has(name)) {
            return null;
        }
        JsonObject expected = files.getAsJsonObject(name);
        if (matches(file, expected)) {
            return file;
        }
        Path prev = dir.resolve(previousName(name));
        return matches(prev, expected) ? prev : file;
    }

    /**
     * Writes a generation of files into {@code dir} as described above.
     *
     * @param files name (from {@link #OWNED}) to content, written in this order
     */
    static void write(Path dir, Map<String, byte[]> files, int epoch) throws IOException {
        write(dir, files, epoch, step -> {});
    }

    /** A point of the write protocol; tests stop there to play a crash. */
    interface Steps {
        void reached(String step) throws IOException;
    }

    static void write(Path dir, Map<String, byte[]> files, int epoch, Steps steps) throws IOException {
        for (String name : files.keySet()) {
            if (!OWNED.contains(name) || RECORD.equals(name)) {
                throw new IllegalArgumentException("not a checkpoint file name: " + name);
            }
        }
        Files.createDirectories(dir);
        if (readRecord(dir) == null && !isEmpty(dir) && !isCheckpoint(dir)) {
            throw new IOException(dir + " holds files and is not a checkpoint");
        }
        java.util.List<String> foreign = foreignFiles(dir);
        if (!foreign.isEmpty()) {
            throw new IOException(dir + " holds " + String.join(", ", foreign) + ", which its checkpoint record"
                    + " does not list (another program's?); refusing to overwrite files charlm did not write");
        }
        Set<String> ours = ownedFiles(dir);
        if (readRecord(dir) == null) {
            // Claim the directory before anything else lands in it, so an interrupted first write
            // still leaves a directory charlm recognises as its own; a checkpoint from before
            // records has its files listed as they are.
            Map<String, JsonObject> legacy = new LinkedHashMap<>();
            for (String name : ours) {
                legacy.put(name, entry(Files.readAllBytes(dir.resolve(name))));
            }
            AtomicFiles.write(dir.resolve(RECORD), Checkpoint.json(record(legacy, 0)));
        }
        rollBack(dir);
        Map<String, Path> staged = new LinkedHashMap<>();
        Map<String, JsonObject> entries = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Path tmp = Files.createTempFile(dir, "." + f.getKey() + ".tmp-", "");
                staged.put(f.getKey(), tmp);
                Files.write(tmp, f.getValue());
                AtomicFiles.makeReadable(tmp);
                force(tmp);
                entries.put(f.getKey(), entry(f.getValue()));
                steps.reached("staged " + f.getKey());
            }
            for (Map.Entry<String, Path> s : staged.entrySet()) {
                Path target = dir.resolve(s.getKey());
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    AtomicFiles.move(target, dir.resolve(previousName(s.getKey())));
                    steps.reached("kept previous " + s.getKey());
                }
                AtomicFiles.move(s.getValue(), target);
                steps.reached("swapped " + s.getKey());
            }
            staged.clear();
            AtomicFiles.write(dir.resolve(RECORD), Checkpoint.json(record(entries, epoch)));
        } finally {
            for (Path tmp : staged.values()) {
                Files.deleteIfExists(tmp);
            }
        }
        force(dir);
        steps.reached("committed");
        for (String name : OWNED) {
            Files.deleteIfExists(dir.resolve(previousName(name)));
            if (ours.contains(name) && !RECORD.equals(name) && !files.containsKey(name)) {
                Files.deleteIfExists(dir.resolve(name)); // a file of an older generation that this one lacks
            }
        }
    }

    /**
     * Puts back the committed files of a write that was interrupted before its commit, so that
     * this write's {@code .prev} copies are again the committed ones.
     */
    private static void rollBack(Path dir) throws IOException {
        JsonObject record = readRecord(dir);
        if (record == null || record.getAsJsonObject("files") == null) {
            return;
        }
        for (String name : record.getAsJsonObject("files").keySet()) {
            Path resolved = resolve(dir, name);
            if (resolved != null && resolved.getFileName().toString().equals(previousName(name))) {
                AtomicFiles.move(resolved, dir.resolve(name));
            }
        }
    }

    static String previousName(String name) {
        return "." + name + ".prev";
    }

    private static JsonObject record(Map<String, JsonObject> entries, int epoch) {
        JsonObject r = new JsonObject();
        r.addProperty("format", RECORD_FORMAT);
        r.addProperty("version", RECORD_VERSION);
        r.addProperty("epoch", epoch);
        JsonObject files = new JsonObject();
        entries.forEach(files::add);
        r.add("files", files);
        return r;
    }

    private static JsonObject readRecord(Path dir) {
        Path file = dir.resolve(RECORD);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonObject r = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
            return r.has("format") && RECORD_FORMAT.equals(r.get("format").getAsString()) ? r : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static JsonObject entry(byte[] content) {
        JsonObject e = new JsonObject();
        e.addProperty("bytes", content.length);
        e.addProperty("sha256", sha256(content));
        return e;
    }

    private static boolean matches(Path file, JsonObject expected) {
        if (expected == null || !Files.isRegularFile(file)) {
            return false;
        }
        try {
            if (Files.size(file) != expected.get("bytes").getAsLong()) {
                return false;
            }
            MessageDigest md = sha256();
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0;) {
                    md.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(md.digest()).equals(expected.get("sha256").getAsString());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String sha256(byte[] content) {
        return HexFormat.of().formatHex(sha256().digest(content));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Flushes a file, or a directory's entries, to the device where the platform allows it. */
    private static void force(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Directories cannot be opened on some platforms; the rename order still holds.
        }
    }
}
