package dev.charlm.trainer.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every study, run on tiny texts with a tiny model, writes its table, figure and numbers. */
class StudyCommandTest {

    @TempDir static Path dir;
    static List<String> data = new ArrayList<>();

    @BeforeAll
    static void texts() throws Exception {
        String book = Files.readString(Path.of(System.getProperty("charlm.shared.data"), "timemachine.txt"));
        for (int i = 0; i < 4; i++) {
            Path f = Files.writeString(dir.resolve("part" + i + ".txt"), book.substring(20_000 * i, 20_000 * i + 6_000));
            data.add("--data");
            data.add(f.toString());
        }
    }

    private static void run(String study, String... extra) {
        List<String> args = new ArrayList<>(List.of(study, "--out", dir.resolve("out").toString(),
                "--runs", dir.resolve("runs").toString(), "--layers", "1", "--hidden", "8", "--batch-size", "4",
                "--num-steps", "8"));
        args.addAll(data);
        args.addAll(List.of(extra));
        assertEquals(0, StudyCommand.execute(args.toArray(String[]::new)), study);
    }

    private static String output(String study) throws Exception {
        Path out = dir.resolve("out");
        for (String ext : List.of(".md", ".png", ".svg", ".json")) {
            assertTrue(Files.size(out.resolve(study + ext)) > 0, study + ext);
        }
        assertEquals(640, ImageIO.read(out.resolve(study + ".png").toFile()).getWidth());
        return Files.readString(out.resolve(study + ".md"));
    }

    @Test
    void scalingHasARowPerSetAndThe5gram() throws Exception {
        run("scaling", "--tokens", "8000", "--sets", "1,2,4");
        String md = output("scaling");
        assertEquals(3, md.lines().filter(l -> l.matches("\\| [124] \\(.*")).count(), md);
        assertTrue(md.contains("5-gram"), md);
    }

    @Test
    void mixingHasThreeRows() throws Exception {
        run("mixing", "--group-a", "2", "--tokens", "6000");
        String md = output("mixing");
        assertTrue(md.contains("| group A only | 100% |") && md.contains("| others only | 0% |"), md);
    }

    @Test
    void recipesAndCells() throws Exception {
        run("recipes", "--epochs", "1");
        assertEquals(7, output("recipes").lines().filter(l -> l.startsWith("| ") && !l.startsWith("| recipe")
                && !l.startsWith("| ---")).count());
        run("cells", "--minutes", "0.01");
        assertTrue(output("cells").contains("| gru |"));
    }
}
