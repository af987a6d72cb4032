package dev.charlm.contract;

/**
 * A value a builder or record refuses, naming the field in a form every front end can render in
 * its own terms: the field {@code top_p} is {@code --top-p} on the command line, {@code field
 * 'top_p'} over HTTP, the same option of spark-score. The value types own their rules; the front
 * ends only translate the name.
 */
public final class InvalidFieldException extends IllegalArgumentException implements UserMistake {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String problem;

    /**
     * @param field the field's name in lower snake case ({@code top_p}, {@code max_characters})
     * @param problem what is wrong, from the field's name on ("must be in (0, 1], got 1.5")
     */
    public InvalidFieldException(String field, String problem) {
        super(field + " " + problem);
        this.field = field;
        this.problem = problem;
    }

    public String field() {
        return field;
    }

    public String problem() {
        return problem;
    }

    /** The message with the field named by {@code name} (e.g. {@code "--top-p"}). */
    public String renderedAs(String name) {
        return name + " " + problem;
    }
}
