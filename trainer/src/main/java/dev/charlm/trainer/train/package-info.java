/** The training loop and its parts: optimizers, clipping, evaluation, sampling text. */
package dev.charlm.trainer.train;
