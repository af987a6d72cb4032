/** The charlm command-line application: generate and score, over the sdk. */
package dev.charlm.app;
