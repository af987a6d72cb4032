package dev.charlm.sdk.internal;

import dev.charlm.sdk.PrefixCacheStats;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A least-recently-used cache of the state reached after a prompt, so that a prompt fed again to
 * a fresh session skips its computation. Only prompts up to {@link #MAX_KEY_CHARACTERS}
 * characters are kept, so that the cache's memory is bounded whatever clients send.
 * Thread-safe.
 *
 * @param <V> what is cached per prompt
 */
public final class PrefixCache<V> {

    /** Longest prompt whose state is cached. */
    public static final int MAX_KEY_CHARACTERS = 4096;

    private final int capacity;
    private final Map<String, V> entries;
    private long hits;
    private long misses;

    public PrefixCache(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > PrefixCache.this.capacity;
            }
        };
    }

    /** The value cached for {@code prompt}, or null; counts a hit or a miss. */
    public synchronized V get(String prompt) {
        if (capacity == 0 || prompt.length() > MAX_KEY_CHARACTERS) {
            return null;
        }
        V v = entries.get(prompt);
        if (v == null) {
            misses++;
        } else {
            hits++;
        }
        return v;
    }

    public synchronized void put(String prompt, V value) {
        if (capacity > 0 && prompt.length() <= MAX_KEY_CHARACTERS) {
            entries.put(prompt, value);
        }
    }

    public synchronized PrefixCacheStats stats() {
        return new PrefixCacheStats(hits, misses, entries.size(), capacity);
    }
}
