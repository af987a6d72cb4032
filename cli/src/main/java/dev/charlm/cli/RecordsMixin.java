package dev.charlm.cli;

import dev.charlm.sdk.RecordFormat;
import dev.charlm.sdk.RecordParser;
import java.util.Optional;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --records}, {@code --field}, {@code --id-field}: score documents, not files, on every front end. */
public class RecordsMixin {

    @Option(names = "--records", paramLabel = "FORMAT", converter = RecordFormats.class,
            description = "Score each line (lines) or each JSON line's text field (jsonl) as a document of its own:"
                    + " one JSON line per record in input order, then each file's total and the total.")
    RecordFormat records;

    @Option(names = "--field", paramLabel = "NAME", description = "With --records jsonl: the text's field. Default: text.")
    String field;

    @Option(names = "--id-field", paramLabel = "NAME",
            description = "With --records jsonl: a field copied into each record's line as its id.")
    String idField;

    /** The records' rule, if records were asked for. */
    public Optional<RecordParser> parser() throws UsageError {
        if (records != RecordFormat.JSONL && (field != null || idField != null)) {
            throw new UsageError((field != null ? "--field" : "--id-field") + " needs --records jsonl"
                    + (records == RecordFormat.LINES ? " (lines have no fields)" : ""));
        }
        return records == null ? Optional.empty() : Optional.of(new RecordParser(records, field, idField));
    }

    /** --records by its id. */
    static final class RecordFormats implements ITypeConverter<RecordFormat> {
        @Override
        public RecordFormat convert(String value) {
            try {
                return RecordFormat.fromId(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
