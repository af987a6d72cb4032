/** Helpers shared by the trainer's packages; not part of its API. */
package dev.charlm.trainer.internal;
