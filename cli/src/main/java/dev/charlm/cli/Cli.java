package dev.charlm.cli;

import dev.charlm.contract.InvalidFieldException;
import dev.charlm.contract.UserMistake;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * How every charlm command ends, written once: the exit statuses, and how a failure is told.
 *
 * <pre>
 *   0    done
 *   1    some inputs failed (each named on stderr); the others were done
 *   2    bad usage: one line on stderr, "charlm COMMAND: error: ...", nothing written
 *  70    internal error: not the user's fault; the trace follows, for a bug report
 * 130    interrupted (Ctrl-C, SIGTERM): what was done is reported as such
 * 141    standard output was closed (a reader like head left): quietly, as Unix tools do
 * </pre>
 *
 * <p>A user's mistake is any {@link UserMistake} (a bad file, a checkpoint that is not one, a
 * model that is not one) or a picocli parse error; a value refused by the type that owns its
 * rule ({@link InvalidFieldException}) is told with the option that set it, as typed ({@code
 * --length} or {@code --max-characters}).
 */
public final class Cli {

    public static final int DONE = 0;
    public static final int SOME_INPUTS_FAILED = 1;
    public static final int USAGE = 2;
    /** sysexits' EX_SOFTWARE. */
    public static final int INTERNAL_ERROR = 70;
    public static final int INTERRUPTED = 128 + 2;
    public static final int OUTPUT_CLOSED = 128 + 13;

    /** With this environment variable set to 1, a command parses its arguments and stops (DocsIT). */
    public static final String CHECK_ARGS = "CHARLM_CHECK_ARGS";

    private static final Map<String, String> EXIT_STATUSES = new LinkedHashMap<>();

    static {
        EXIT_STATUSES.put("0", "done");
        EXIT_STATUSES.put("1", "some inputs failed (each named on stderr); the others were done");
        EXIT_STATUSES.put("2", "bad usage: one line on stderr");
        EXIT_STATUSES.put("70", "internal error, with its trace");
        EXIT_STATUSES.put("130", "interrupted (Ctrl-C, SIGTERM); what was done is reported");
        EXIT_STATUSES.put("141", "standard output was closed");
    }

    private Cli() {}

    /** Runs {@code command} on {@code args}, writing to the process's stdout and stderr. */
    public static int execute(Object command, String... args) {
        return execute(command, args, System.out, System.err);
    }

    /** Runs {@code command} on {@code args}; returns its exit status instead of exiting. */
    public static int execute(Object command, String[] args, PrintStream out, PrintStream err) {
        return apply(new CommandLine(command), out, err).execute(args);
    }

    /** Applies the rule to a command line built elsewhere (Quarkus builds the app's), and its subcommands. */
    public static CommandLine apply(CommandLine cl, PrintStream out, PrintStream err) {
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println(name(c) + ": error: " + ex.getMessage() + " (see --help)");
            c.getErr().flush();
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> report(ex, c));
        if ("1".equals(System.getenv(CHECK_ARGS))) {
            // Parse and check the options, run nothing: how the commands in the docs are checked.
            cl.setExecutionStrategy(parsed -> {
                Integer help = CommandLine.executeHelpRequest(parsed);
                return help != null ? help : DONE;
            });
        }
        document(cl);
        return cl;
    }

    /** The exit status and the words for {@code ex}, thrown by the command {@code c}. */
    static int report(Exception ex, CommandLine c) {
        if (ex instanceof OutputClosed) {
            return OUTPUT_CLOSED; // nobody reads what we would say
        }
        PrintWriter err = c.getErr();
        if (ex instanceof InvalidFieldException f) {
            err.println(name(c) + ": error: " + f.renderedAs(optionName(c, f.field())));
        } else if (ex instanceof UserMistake) {
            err.println(name(c) + ": error: " + ex.getMessage());
        } else {
            err.println(name(c) + ": internal error: " + ex);
            ex.printStackTrace(err);
            err.flush();
            return INTERNAL_ERROR;
        }
        err.flush();
        return USAGE;
    }

    /** "charlm train", "charlm score": what the user typed to run it. */
    static String name(CommandLine c) {
        String qualified = c.getCommandSpec().qualifiedName();
        return qualified.startsWith("charlm") ? qualified : "charlm " + qualified;
    }

    /**
     * The option that sets {@code field} ({@code top_p} is set by {@code --top-p}), spelled as
     * the user typed it when an alias was used; the field itself when no option sets it.
     */
    static String optionName(CommandLine c, String field) {
        CommandSpec spec = c.getCommandSpec();
        String wanted = "--" + field.replace('_', '-');
        for (OptionSpec o : spec.options()) {
            List<String> names = List.of(o.names());
            if (!names.contains(wanted) && !field.equals(o.descriptionKey())) {
                continue;
            }
            if (c.getParseResult() != null) {
                for (String arg : c.getParseResult().originalArgs()) {
                    for (String n : names) {
                        if (arg.equals(n) || arg.startsWith(n + "=")) {
                            return n;
                        }
                    }
                }
            }
            return o.longestName();
        }
        return field;
    }

    /** Every command's help ends with the same list of exit statuses. */
    private static void document(CommandLine cl) {
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit status:%n").exitCodeList(EXIT_STATUSES);
        for (CommandLine sub : cl.getSubcommands().values()) {
            document(sub);
        }
    }
}
