package dev.charlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlm.contract.InvalidFieldException;
import dev.charlm.contract.InvalidTextException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The one exit-status rule, on a command that fails in each way a command can. */
class CliTest {

    @Command(name = "charlm probe", mixinStandardHelpOptions = true)
    static final class Probe implements Callable<Integer> {
        @Option(names = {"--length", "--max-characters"}) int length;
        @Option(names = "--fail") String fail = "";

        @Override
        public Integer call() throws Exception {
            switch (fail) {
                case "field" -> throw new InvalidFieldException("max_characters", "must be >= 0, got " + length);
                case "text" -> throw new InvalidTextException("a.txt", "looks binary");
                case "bug" -> throw new IllegalStateException("a bug");
                case "closed" -> throw new OutputClosed();
                case "some" -> {
                    return Cli.SOME_INPUTS_FAILED;
                }
                default -> {
                    return Cli.DONE;
                }
            }
        }
    }

    record Run(int status, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Cli.execute(new Probe(), args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void eachWayToEndHasItsStatusAndItsWords() {
        assertEquals(new Run(0, "", ""), run());
        assertEquals(new Run(1, "", ""), run("--fail", "some"));
        assertEquals(new Run(141, "", ""), run("--fail", "closed"));
        assertEquals(new Run(2, "", "charlm probe: error: a.txt: looks binary\n"), run("--fail", "text"));
        Run bug = run("--fail", "bug");
        assertEquals(70, bug.status());
        assertTrue(bug.err().startsWith("charlm probe: internal error: java.lang.IllegalStateException: a bug\n"
                + "java.lang.IllegalStateException: a bug\n\tat "), bug.err());
        Run unknown = run("--colour");
        assertEquals(2, unknown.status());
        assertEquals("charlm probe: error: Unknown option: '--colour' (see --help)\n", unknown.err());
    }

    @Test
    void aRefusedValueIsNamedByTheOptionAsTyped() {
        assertEquals("charlm probe: error: --length must be >= 0, got -3\n",
                run("--length", "-3", "--fail", "field").err());
        assertEquals("charlm probe: error: --max-characters must be >= 0, got -3\n",
                run("--max-characters=-3", "--fail", "field").err());
    }

    @Test
    void everyHelpEndsWithTheExitStatuses() {
        Run help = run("--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("Exit status:\n"), help.out());
        assertTrue(help.out().contains("141   standard output was closed"), help.out());
    }
}
