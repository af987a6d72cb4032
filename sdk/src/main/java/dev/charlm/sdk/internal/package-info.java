/** Implementation details of the sdk; not part of its API. */
package dev.charlm.sdk.internal;
