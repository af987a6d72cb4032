/**
 * Writes ONNX models without a protobuf runtime: a protobuf wire-format encoder and a small
 * builder for the subset of {@code onnx.proto} that charlm's graphs use. Field numbers are
 * those of onnx.proto (IR version 8).
 */
package dev.charlm.contract.onnx;
