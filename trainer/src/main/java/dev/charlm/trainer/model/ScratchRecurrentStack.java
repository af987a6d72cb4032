package dev.charlm.trainer.model;

import dev.charlm.contract.Cell;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Activation;
import java.util.Map;

/**
 * The chapter's deep RNN written out: for each layer l and step t,
 *
 * <pre>
 * RNN:  H_t = tanh(X_t W_ih^T + b_ih + H_{t-1} W_hh^T + b_hh)
 * GRU:  R_t = sigmoid(X_t W_ir^T + b_ir + H_{t-1} W_hr^T + b_hr)
 *       Z_t = sigmoid(X_t W_iz^T + b_iz + H_{t-1} W_hz^T + b_hz)
 *       N_t = tanh(X_t W_in^T + b_in + R_t * (H_{t-1} W_hn^T + b_hn))
 *       H_t = (1 - Z_t) * N_t + Z_t * H_{t-1}
 * LSTM: I_t, F_t, O_t = sigmoid(X_t W_i{i,f,o}^T + b_i{i,f,o} + H_{t-1} W_h{i,f,o}^T + b_h{i,f,o})
 *       G_t = tanh(X_t W_ig^T + b_ig + H_{t-1} W_hg^T + b_hg)
 *       C_t = F_t * C_{t-1} + I_t * G_t
 *       H_t = O_t * tanh(C_t)
 * </pre>
 *
 * where X_t of layer l is H_t of layer l-1 (with dropout between layers while training) and of
 * layer 0 the one-hot input. Gate blocks are stacked in PyTorch's order (LSTM i, f, g, o; GRU
 * r, z, n), the layout of {@link ParameterLayout}, so these weights are DJL's weights.
 */
final class ScratchRecurrentStack implements RecurrentStack {

    private final ModelSpec spec;
    private final Map<String, NDArray> parameters;

    ScratchRecurrentStack(ModelSpec spec, Map<String, NDArray> parameters) {
        this.spec = spec;
        this.parameters = parameters;
    }

    @Override
    public NDList forward(NDArray x, NDList state, boolean training) {
        boolean lstm = spec.cell() == Cell.LSTM;
        int steps = (int) x.getShape().get(1);
        NDArray layerInput = x; // (B, T, in_l)
        NDList finalH = new NDList(spec.layers());
        NDList finalC = new NDList(spec.layers());
        for (int l = 0; l < spec.layers(); l++) {
            if (l > 0 && training && spec.dropout() > 0) {
                layerInput = layerInput.getNDArrayInternal().dropout(layerInput, spec.dropout(), true).head();
            }
            NDArray wih = parameters.get(ParameterLayout.inputWeight(l)); // (G*H, in_l)
            NDArray whhT = parameters.get(ParameterLayout.recurrentWeight(l)).transpose(); // (H, G*H)
            NDArray bih = parameters.get(ParameterLayout.inputBias(l)); // (G*H)
            NDArray bhh = parameters.get(ParameterLayout.recurrentBias(l)); // (G*H)
            // The input projection of every step at once: (B, T, G*H).
            NDArray inputGates = layerInput.matMul(wih.transpose()).add(bih);
            NDArray h = state.get(0).get(l); // (B, H)
            NDArray c = lstm ? state.get(1).get(l) : null; // (B, H)
            NDList outputs = new NDList(steps);
            for (int t = 0; t < steps; t++) {
                // Gate pre-activations from the input X_t and from the state H_{t-1}, each (B, G*H).
                NDArray fromInput = inputGates.get(new NDIndex(":, {}, :", t));
                NDArray fromState = h.matMul(whhT).add(bhh);
                switch (spec.cell()) {
                    case LSTM: {
                        NDList g = fromInput.add(fromState).split(4, 1);
                        NDArray i = Activation.sigmoid(g.get(0));
                        NDArray f = Activation.sigmoid(g.get(1));
                        NDArray cand = g.get(2).tanh();
                        NDArray o = Activation.sigmoid(g.get(3));
                        c = f.mul(c).add(i.mul(cand));
                        h = o.mul(c.tanh());
                        break;
                    }
                    case GRU: {
                        NDList gx = fromInput.split(3, 1);
                        NDList gh = fromState.split(3, 1);
                        NDArray r = Activation.sigmoid(gx.get(0).add(gh.get(0)));
                        NDArray z = Activation.sigmoid(gx.get(1).add(gh.get(1)));
                        NDArray n = gx.get(2).add(r.mul(gh.get(2))).tanh();
                        h = n.add(z.mul(h.sub(n))); // (1 - z) * n + z * h
                        break;
                    }
                    case RNN:
                        h = fromInput.add(fromState).tanh();
                        break;
                    default:
                        throw new AssertionError(spec.cell());
                }
                outputs.add(h);
            }
            layerInput = NDArrays.stack(outputs, 1); // (B, T, H)
            finalH.add(h);
            if (lstm) {
                finalC.add(c);
            }
        }
        NDList result = new NDList(layerInput, NDArrays.stack(finalH, 0));
        if (lstm) {
            result.add(NDArrays.stack(finalC, 0));
        }
        return result;
    }
}
