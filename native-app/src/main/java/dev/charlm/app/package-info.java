/** The charlm command-line application over the sdk: generate, score, and serve the HTTP API. */
package dev.charlm.app;
