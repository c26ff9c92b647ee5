package dev.cairn.internal.engine;

import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * How the engine takes keyed records apart and puts them together: the API's records are
 * {@code Pair}s, which the engine does not know.
 *
 * @param keyOf   a record's key
 * @param valueOf a record's value
 * @param output  a record from a key and a value
 * @param <K> key type
 * @param <V> value type
 * @param <C> value type of output records
 */
public record Records<K, V, C>(Function<Object, K> keyOf, Function<Object, V> valueOf, BiFunction<K, C, Object> output) {
}
