/**
 * Freezes a trainer checkpoint into one self-describing ONNX file ({@link
 * dev.charlm.exporter.OnnxExporter}), proves ONNX Runtime computes what DJL computes ({@link
 * dev.charlm.exporter.ParityCheck}), and measures the frozen model's held-out perplexity.
 */
package dev.charlm.exporter;
