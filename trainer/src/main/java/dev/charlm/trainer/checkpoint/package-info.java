/** Checkpoint directories: model config, weights, optimizer state and metrics, written atomically. */
package dev.charlm.trainer.checkpoint;
