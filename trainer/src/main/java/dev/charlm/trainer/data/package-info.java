/** Training text: loading, preprocessing, the held-out split and d2l's minibatch samplers. */
package dev.charlm.trainer.data;
