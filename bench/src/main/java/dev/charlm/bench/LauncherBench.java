package dev.charlm.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./charlm bench launcher}: what the launcher adds to a command, whole processes timed
 * side by side, interleaved: {@code ./charlm generate --length 1} against the very java command
 * it runs, and the launcher alone (its freshness check, printing the command instead of running
 * it). Medians.
 *
 * <p>{@code ./charlm bench package}: the same two beside the package of {@code dist/} (from
 * {@code ./charlm package}): its tarball unpacked into a temporary directory with its class-data
 * archive recorded there, and the installed {@code /usr/bin/charlm} when the .deb is installed.
 */
public final class LauncherBench {

    private LauncherBench() {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("charlm.root", ".")).toAbsolutePath();
        Path launcher = root.resolve("charlm");
        boolean withPackage = args.length > 0 && args[0].equals("package");
        int runs = args.length > (withPackage ? 1 : 0) ? Integer.parseInt(args[withPackage ? 1 : 0]) : 11;
        if (withPackage) {
            comparePackage(root, launcher, runs);
            return;
        }
        List<String> viaLauncher = List.of(launcher.toString(), "generate", "--length", "1");
        List<String> bare = printedCommand(launcher);
        double[] launched = new double[runs];
        double[] direct = new double[runs];
        double[] check = new double[runs];
        time(viaLauncher, false); // warm the disk cache and the class-data archive
        time(bare, false);
        for (int i = 0; i < runs; i++) {
            launched[i] = time(viaLauncher, false);
            direct[i] = time(bare, false);
            check[i] = time(viaLauncher, true);
        }
        System.out.printf(Locale.ROOT, "whole process, median of %d interleaved runs (ms)%n", runs);
        System.out.printf(Locale.ROOT, "  %-58s %8.0f%n", "./charlm generate --length 1", median(launched));
        System.out.printf(Locale.ROOT, "  %-58s %8.0f%n", "the same java command, run directly", median(direct));
        System.out.printf(Locale.ROOT, "  %-58s %8.0f%n", "the launcher alone (bash, freshness check; no JVM)",
                median(check));
        System.out.printf(Locale.ROOT, "  %-58s %8.0f%n", "launcher's cost (first row minus second)",
                median(launched) - median(direct));
    }

    /**
     * The package's launchers beside the checkout's: {@code ./charlm generate --length 1}, the java
     * command it runs (with the checkout's class-data archive), the unpacked tarball's {@code
     * bin/charlm} (with the archive its second launcher recorded) and the installed one.
     */
    private static void comparePackage(Path root, Path launcher, int runs) throws Exception {
        Path tarball;
        try (var files = java.nio.file.Files.list(root.resolve("dist"))) {
            tarball = files.filter(f -> f.getFileName().toString().matches("charlm-.*-linux-x64\\.tar\\.gz"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no tarball in dist/: run ./charlm package"));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalStateException("no dist/: run ./charlm package first");
        }
        Path dir = java.nio.file.Files.createTempDirectory("charlm-bench-package");
        try {
            run(List.of("tar", "-C", dir.toString(), "-xzf", tarball.toString()));
            Path image;
            try (var entries = java.nio.file.Files.list(dir)) {
                image = entries.findFirst().orElseThrow();
            }
            run(List.of(image.resolve("bin/charlm-archive-classes").toString()));
            List<String> bare = printedCommand(launcher);
            List<List<String>> commands = new ArrayList<>(List.of(
                    List.of(launcher.toString(), "generate", "--length", "1"), bare,
                    List.of(image.resolve("bin/charlm").toString(), "generate", "--length", "1")));
            List<String> names = new ArrayList<>(List.of("./charlm generate --length 1",
                    "its java command, run directly (the checkout's archive)",
                    "the tarball's bin/charlm generate --length 1 (its archive)"));
            Path installed = Path.of("/opt/charlm/bin/charlm");
            if (java.nio.file.Files.isExecutable(installed) && java.nio.file.Files.exists(Path.of("/usr/bin/charlm"))) {
                commands.add(List.of("/usr/bin/charlm", "generate", "--length", "1"));
                names.add("installed: charlm generate --length 1 (/usr/bin, the .deb)");
            }
            double[][] times = new double[commands.size()][runs];
            for (List<String> c : commands) {
                time(c, false); // the disk cache
            }
            for (int i = 0; i < runs; i++) {
                for (int c = 0; c < commands.size(); c++) {
                    times[c][i] = time(commands.get(c), false);
                }
            }
            double reference = median(times[1]);
            System.out.printf(Locale.ROOT, "whole process, median of %d interleaved runs (ms); ratio to the checkout's java command%n", runs);
            for (int c = 0; c < commands.size(); c++) {
                System.out.printf(Locale.ROOT, "  %-62s %8.0f %6.2fx%n", names.get(c), median(times[c]),
                        median(times[c]) / reference);
            }
        } finally {
            run(List.of("rm", "-rf", dir.toString()));
        }
    }

    private static List<String> printedCommand(Path launcher) throws IOException, InterruptedException {
        List<String> bare = new ArrayList<>();
        ProcessBuilder print = new ProcessBuilder(launcher.toString(), "generate", "--length", "1");
        print.environment().put("CHARLM_PRINT_COMMAND", "1");
        Process p = print.redirectError(ProcessBuilder.Redirect.DISCARD).start();
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().forEach(bare::add);
        if (p.waitFor() != 0 || bare.isEmpty() || !bare.get(0).equals("java")) {
            throw new IllegalStateException("the launcher did not print its command: " + bare);
        }
        return bare;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("failed: " + command);
        }
    }

    /** Milliseconds for one whole process; {@code printOnly}: the launcher prints its command instead. */
    private static double time(List<String> command, boolean printOnly) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).directory(new File("."));
        if (printOnly) {
            pb.environment().put("CHARLM_PRINT_COMMAND", "1");
        }
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("failed: " + command);
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
