package dev.charlm.trainer.train;

/**
 * Step time of an epoch by phase, in milliseconds. Forward/backward and the optimizer update are
 * the work; batching, clipping and metrics (loss read-back, state carry, zeroing gradients) are
 * the trainer's own overhead.
 */
public record StepTiming(double batchingMillis, double forwardBackwardMillis, double clippingMillis,
        double updateMillis, double metricsMillis) {

    public double totalMillis() {
        return batchingMillis + forwardBackwardMillis + clippingMillis + updateMillis + metricsMillis;
    }

    /** Share of step time spent outside forward/backward and the update. */
    public double overheadFraction() {
        return (batchingMillis + clippingMillis + metricsMillis) / totalMillis();
    }
}
