/** Figures: a line chart written as PNG and SVG from one layout, with no plotting library. */
package dev.charlm.trainer.plot;
