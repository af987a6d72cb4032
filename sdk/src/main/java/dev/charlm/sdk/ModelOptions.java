package dev.charlm.sdk;

/**
 * How to run a model. Immutable; build with {@link #builder()}.
 *
 * <p>Defaults: CPU, one intra-op thread (best for batch-1 streaming: more threads spin and
 * raise p99 latency), a prefix cache of 64 prompts. For scoring, {@link #forScoring()}.
 */
public final class ModelOptions {

    private final Device device;
    private final int deviceId;
    private final int intraOpThreads;
    private final int prefixCacheEntries;
    private final boolean spinning;

    private ModelOptions(Builder b) {
        this.device = b.device;
        this.deviceId = b.deviceId;
        this.intraOpThreads = b.intraOpThreads;
        this.prefixCacheEntries = b.prefixCacheEntries;
        this.spinning = b.spinning;
    }

    /** The defaults: for streaming generation. */
    public static ModelOptions defaults() {
        return builder().build();
    }

    /**
     * For scoring: one intra-op thread per core (a scoring call is a large batch), no prompt
     * cache.
     */
    public static ModelOptions forScoring() {
        return builder().intraOpThreads(Runtime.getRuntime().availableProcessors()).prefixCacheEntries(0).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Device device() {
        return device;
    }

    public int deviceId() {
        return deviceId;
    }

    public int intraOpThreads() {
        return intraOpThreads;
    }

    public int prefixCacheEntries() {
        return prefixCacheEntries;
    }

    /** Whether ONNX Runtime's idle intra-op threads spin waiting for work (its default). */
    public boolean spinning() {
        return spinning;
    }

    /** Builder of {@link ModelOptions}. */
    public static final class Builder {
        private Device device = Device.CPU;
        private int deviceId;
        private int intraOpThreads = 1;
        private int prefixCacheEntries = 64;
        private boolean spinning = true;

        private Builder() {}

        /** CPU (default) or CUDA on GPU {@code id}. */
        public Builder device(Device device, int id) {
            if (id < 0) {
                throw new IllegalArgumentException("device id must be >= 0, got " + id);
            }
            this.device = device;
            this.deviceId = id;
            return this;
        }

        public Builder device(Device device) {
            return device(device, 0);
        }

        /** ONNX Runtime intra-op threads; 1 for streaming, the core count for scoring. */
        public Builder intraOpThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("intra-op threads must be positive, got " + threads);
            }
            this.intraOpThreads = threads;
            return this;
        }

        /** Prompts whose state is kept for reuse; 0 disables the cache. */
        public Builder prefixCacheEntries(int entries) {
            if (entries < 0) {
                throw new IllegalArgumentException("prefix cache entries must be >= 0, got " + entries);
            }
            this.prefixCacheEntries = entries;
            return this;
        }

        /**
         * Whether idle intra-op threads spin (the default, lowest latency) or sleep; turn it off
         * where other work shares the cores, e.g. several scoring tasks in one Spark executor.
         */
        public Builder spinning(boolean spinning) {
            this.spinning = spinning;
            return this;
        }

        public ModelOptions build() {
            return new ModelOptions(this);
        }
    }
}
