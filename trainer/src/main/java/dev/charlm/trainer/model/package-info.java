/**
 * The deep recurrent character model: one-hot input, L stacked recurrent layers, a dense output
 * layer. Two interchangeable implementations of the recurrent stack share one parameter layout
 * (PyTorch's flat weights), so weights move freely between them and to the exporter.
 */
package dev.charlm.trainer.model;
