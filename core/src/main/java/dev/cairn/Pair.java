package dev.cairn;

/**
 * A key and a value: the record type of a {@link KeyedDataset}. Either may be {@code null}
 * (a {@code null} key hashes to partition 0 under {@link HashPartitioner}).
 *
 * @param key   the key
 * @param value the value
 * @param <K>   key type
 * @param <V>   value type
 */
public record Pair<K, V>(K key, V value) implements java.io.Serializable {

    /** Shorthand for {@code new Pair<>(key, value)}. */
    public static <K, V> Pair<K, V> of(K key, V value) {
        return new Pair<>(key, value);
    }
}
