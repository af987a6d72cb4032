/**
 * The model contract that the trainer, the exporter and the sdk all read: how text becomes
 * tokens ({@link dev.charlm.contract.Preprocessing}, {@link dev.charlm.contract.Vocabulary}),
 * how text files are accepted ({@link dev.charlm.contract.TextFiles}) and the names a frozen
 * model carries ({@link dev.charlm.contract.ModelContract}). It has no dependencies.
 */
package dev.charlm.contract;
