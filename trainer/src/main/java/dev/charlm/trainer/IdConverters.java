package dev.charlm.trainer;

import dev.charlm.contract.Cell;
import dev.charlm.contract.Preprocessing;
import dev.charlm.trainer.data.Partitioning;
import dev.charlm.trainer.model.Implementation;
import dev.charlm.trainer.train.LearningRateSchedule;
import dev.charlm.trainer.train.OptimizerKind;
import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option values by their ids ({@code lstm}, {@code adam}, {@code cosine}): each type's own
 * {@code fromId}, whose message names the accepted ids, as picocli's conversion error.
 */
final class IdConverters {

    private IdConverters() {}

    private static <T> T convert(String value, Function<String, T> fromId) {
        try {
            return fromId.apply(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    static final class Cells implements ITypeConverter<Cell> {
        @Override
        public Cell convert(String value) {
            return IdConverters.convert(value, Cell::fromId);
        }
    }

    static final class Implementations implements ITypeConverter<Implementation> {
        @Override
        public Implementation convert(String value) {
            return IdConverters.convert(value, Implementation::fromId);
        }
    }

    static final class Optimizers implements ITypeConverter<OptimizerKind> {
        @Override
        public OptimizerKind convert(String value) {
            return IdConverters.convert(value, OptimizerKind::fromId);
        }
    }

    static final class Schedules implements ITypeConverter<LearningRateSchedule> {
        @Override
        public LearningRateSchedule convert(String value) {
            return IdConverters.convert(value, LearningRateSchedule::fromId);
        }
    }

    static final class Partitionings implements ITypeConverter<Partitioning> {
        @Override
        public Partitioning convert(String value) {
            return IdConverters.convert(value, Partitioning::fromId);
        }
    }

    static final class Preprocessings implements ITypeConverter<Preprocessing> {
        @Override
        public Preprocessing convert(String value) {
            return IdConverters.convert(value, Preprocessing::fromId);
        }
    }
}
