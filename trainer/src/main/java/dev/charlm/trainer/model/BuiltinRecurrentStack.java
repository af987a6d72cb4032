package dev.charlm.trainer.model;

import dev.charlm.contract.Cell;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.recurrent.GRU;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.nn.recurrent.RNN;
import ai.djl.nn.recurrent.RecurrentBlock;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;

/** DJL's fused recurrent blocks; its parameters carry the canonical names already. */
final class BuiltinRecurrentStack implements RecurrentStack {

    private final RecurrentBlock block;
    private final ParameterStore parameterStore;

    BuiltinRecurrentStack(ModelSpec spec, NDManager manager) {
        RecurrentBlock.BaseBuilder<?> builder;
        switch (spec.cell()) {
            case LSTM:
                builder = LSTM.builder();
                break;
            case GRU:
                builder = GRU.builder();
                break;
            case RNN:
                builder = RNN.builder().setActivation(RNN.Activation.TANH);
                break;
            default:
                throw new AssertionError(spec.cell());
        }
        builder.setNumLayers(spec.layers())
                .setStateSize(spec.hidden())
                .optDropRate(spec.dropout())
                .optBatchFirst(true)
                .optReturnState(true);
        this.block = buildBlock(builder);
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 1, spec.vocabSize()));
        this.parameterStore = new ParameterStore(manager, false);
    }

    private static RecurrentBlock buildBlock(RecurrentBlock.BaseBuilder<?> builder) {
        if (builder instanceof LSTM.Builder) {
            return ((LSTM.Builder) builder).build();
        }
        if (builder instanceof GRU.Builder) {
            return ((GRU.Builder) builder).build();
        }
        return ((RNN.Builder) builder).build();
    }

    /** The block's parameter arrays by canonical name. */
    Map<String, NDArray> parameters() {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        for (Parameter p : block.getParameters().values()) {
            arrays.put(p.getName(), p.getArray());
        }
        return arrays;
    }

    @Override
    public NDList forward(NDArray x, NDList state, boolean training) {
        NDList inputs = new NDList(x);
        inputs.addAll(state);
        return block.forward(parameterStore, inputs, training);
    }
}
