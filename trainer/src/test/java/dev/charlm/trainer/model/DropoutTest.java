package dev.charlm.trainer.model;

import dev.charlm.contract.Cell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Dropout between layers acts while training and never at inference, in both implementations. */
class DropoutTest {

    @ParameterizedTest
    @EnumSource(Implementation.class)
    void dropoutChangesTrainingOutputsOnly(Implementation impl) {
        ModelSpec spec = new ModelSpec(Cell.LSTM, 2, 32, 9, 0.5f);
        try (CharRnnModel model = CharRnnModel.create(spec, impl, Device.cpu(), 1);
                NDManager scope = model.newScope()) {
            var x = scope.create(new long[] {1, 2, 3, 4, 5, 6, 7, 8}, new Shape(2, 4));
            float[] eval1 = model.forward(x, model.zeroState(scope, 2), false).get(0).toFloatArray();
            float[] eval2 = model.forward(x, model.zeroState(scope, 2), false).get(0).toFloatArray();
            float[] train = model.forward(x, model.zeroState(scope, 2), true).get(0).toFloatArray();
            assertArrayEquals(eval1, eval2);
            float maxDiff = ImplementationParityTest.maxAbsDiff(eval1, train);
            assertTrue(maxDiff > 1e-3, impl + ": dropout 0.5 left training outputs unchanged");
        }
    }
}
