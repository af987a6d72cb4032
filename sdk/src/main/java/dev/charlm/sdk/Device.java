package dev.charlm.sdk;

/** Where ONNX Runtime runs the model. */
public enum Device {
    /** The CPU (always available). */
    CPU,
    /**
     * An NVIDIA GPU through ONNX Runtime's CUDA provider. Needs the {@code onnxruntime_gpu} jar
     * (Maven profile {@code gpu}), CUDA 12 and cuDNN 9; where any is missing the model warns once
     * and runs on the CPU ({@link CharModel#device()} tells which).
     */
    CUDA
}
