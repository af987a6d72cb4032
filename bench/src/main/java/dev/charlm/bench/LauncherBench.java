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
 */
public final class LauncherBench {

    private LauncherBench() {}

    public static void main(String[] args) throws Exception {
        Path launcher = Path.of(System.getProperty("charlm.root", ".")).resolve("charlm").toAbsolutePath();
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 11;
        List<String> viaLauncher = List.of(launcher.toString(), "generate", "--length", "1");
        List<String> bare = new ArrayList<>();
        ProcessBuilder print = new ProcessBuilder(viaLauncher);
        print.environment().put("CHARLM_PRINT_COMMAND", "1");
        Process p = print.redirectError(ProcessBuilder.Redirect.DISCARD).start();
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().forEach(bare::add);
        if (p.waitFor() != 0 || bare.isEmpty() || !bare.get(0).equals("java")) {
            throw new IllegalStateException("the launcher did not print its command: " + bare);
        }
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
