package dev.charlm.sdk;

/**
 * The prompt cache of a model: a prompt fed to a fresh session is looked up, and a hit restores
 * the state instead of recomputing it.
 *
 * @param hits lookups that found the prompt
 * @param misses lookups that did not
 * @param size prompts held now
 * @param capacity most prompts held (least recently used go first)
 */
public record PrefixCacheStats(long hits, long misses, int size, int capacity) {}
