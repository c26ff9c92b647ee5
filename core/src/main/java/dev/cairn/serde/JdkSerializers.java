package dev.cairn.serde;

import com.esotericsoftware.kryo.kryo5.Kryo;
import com.esotericsoftware.kryo.kryo5.Serializer;
import com.esotericsoftware.kryo.kryo5.io.Input;
import com.esotericsoftware.kryo.kryo5.io.Output;
import com.esotericsoftware.kryo.kryo5.serializers.DefaultSerializers;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Kryo serializers for JDK types plain Kryo 5.6 breaks on under Java 17.
 *
 * <p>Kryo already handles {@code List.of}/{@code Set.of}/{@code Map.of}, the empty and singleton
 * collections and {@code Arrays.asList}. It does not handle the {@code Collections.unmodifiable*}
 * and {@code Collections.synchronized*} wrappers: its generic serializer instantiates the wrapper
 * empty and then calls {@code add}, which throws on read. Their inner collection is a private field
 * of {@code java.base} that is unreachable without {@code --add-opens}, so these serializers copy the
 * contents instead, write the elements through Kryo (elements need not be {@code Serializable}) and
 * wrap a fresh collection of the same kind on read: a {@code LinkedHashSet}/{@code LinkedHashMap}
 * (keeping iteration order) or a {@code TreeSet}/{@code TreeMap} with the written comparator.
 * The wrapper class, and so unmodifiability, survives; the class of the inner collection does not.
 * A wrapper that contains itself cannot be written this way (no JDK wrapper can).
 */
final class JdkSerializers {
    private JdkSerializers() {
    }

    static void addDefaults(Kryo kryo) {
        // Kryo ships these but does not install them by default; UUID would otherwise fall back to
        // Java serialization (about 80 bytes instead of 16).
        kryo.addDefaultSerializer(UUID.class, new DefaultSerializers.UUIDSerializer());
        kryo.addDefaultSerializer(URI.class, new DefaultSerializers.URISerializer());
        kryo.addDefaultSerializer(Pattern.class, new DefaultSerializers.PatternSerializer());
        kryo.addDefaultSerializer(Map.entry(1, 1).getClass(), new MapEntrySerializer());

        collection(kryo, Collections.unmodifiableCollection(new ArrayList<>()), false,
                c -> new ArrayList<>(), Collections::unmodifiableCollection);
        collection(kryo, Collections.unmodifiableList(new ArrayList<>()), false,
                c -> new ArrayList<>(), c -> Collections.unmodifiableList((ArrayList<Object>) c));
        collection(kryo, Collections.unmodifiableList(new LinkedList<>()), false,
                c -> new LinkedList<>(), c -> Collections.unmodifiableList((LinkedList<Object>) c));
        collection(kryo, Collections.unmodifiableSet(new LinkedHashSet<>()), false,
                c -> new LinkedHashSet<>(), c -> Collections.unmodifiableSet((LinkedHashSet<Object>) c));
        collection(kryo, Collections.unmodifiableSortedSet(new TreeSet<>()), true,
                TreeSet::new, c -> Collections.unmodifiableSortedSet((SortedSet<Object>) c));
        collection(kryo, Collections.unmodifiableNavigableSet(new TreeSet<>()), true,
                TreeSet::new, c -> Collections.unmodifiableNavigableSet((NavigableSet<Object>) c));
        map(kryo, Collections.unmodifiableMap(new LinkedHashMap<>()), false,
                c -> new LinkedHashMap<>(), Collections::unmodifiableMap);
        map(kryo, Collections.unmodifiableSortedMap(new TreeMap<>()), true,
                TreeMap::new, m -> Collections.unmodifiableSortedMap((SortedMap<Object, Object>) m));
        map(kryo, Collections.unmodifiableNavigableMap(new TreeMap<>()), true,
                TreeMap::new, m -> Collections.unmodifiableNavigableMap((NavigableMap<Object, Object>) m));

        collection(kryo, Collections.synchronizedCollection(new ArrayList<>()), false,
                c -> new ArrayList<>(), Collections::synchronizedCollection);
        collection(kryo, Collections.synchronizedList(new ArrayList<>()), false,
                c -> new ArrayList<>(), c -> Collections.synchronizedList((ArrayList<Object>) c));
        collection(kryo, Collections.synchronizedList(new LinkedList<>()), false,
                c -> new LinkedList<>(), c -> Collections.synchronizedList((LinkedList<Object>) c));
        collection(kryo, Collections.synchronizedSet(new LinkedHashSet<>()), false,
                c -> new LinkedHashSet<>(), c -> Collections.synchronizedSet((LinkedHashSet<Object>) c));
        collection(kryo, Collections.synchronizedSortedSet(new TreeSet<>()), true,
                TreeSet::new, c -> Collections.synchronizedSortedSet((SortedSet<Object>) c));
        collection(kryo, Collections.synchronizedNavigableSet(new TreeSet<>()), true,
                TreeSet::new, c -> Collections.synchronizedNavigableSet((NavigableSet<Object>) c));
        map(kryo, Collections.synchronizedMap(new LinkedHashMap<>()), false,
                c -> new LinkedHashMap<>(), Collections::synchronizedMap);
        map(kryo, Collections.synchronizedSortedMap(new TreeMap<>()), true,
                TreeMap::new, m -> Collections.synchronizedSortedMap((SortedMap<Object, Object>) m));
        map(kryo, Collections.synchronizedNavigableMap(new TreeMap<>()), true,
                TreeMap::new, m -> Collections.synchronizedNavigableMap((NavigableMap<Object, Object>) m));
    }

    private static void collection(Kryo kryo, Collection<?> sample, boolean sorted,
            Function<Comparator<Object>, Collection<Object>> backing, UnaryOperator<Collection<Object>> wrap) {
        kryo.addDefaultSerializer(sample.getClass(), new CopyingCollectionSerializer(sorted, backing, wrap));
    }

    private static void map(Kryo kryo, Map<?, ?> sample, boolean sorted,
            Function<Comparator<Object>, Map<Object, Object>> backing, UnaryOperator<Map<Object, Object>> wrap) {
        kryo.addDefaultSerializer(sample.getClass(), new CopyingMapSerializer(sorted, backing, wrap));
    }

    private static final class CopyingCollectionSerializer extends Serializer<Collection<Object>> {
        private final boolean sorted;
        private final Function<Comparator<Object>, Collection<Object>> backing;
        private final UnaryOperator<Collection<Object>> wrap;

        CopyingCollectionSerializer(boolean sorted, Function<Comparator<Object>, Collection<Object>> backing,
                UnaryOperator<Collection<Object>> wrap) {
            this.sorted = sorted;
            this.backing = backing;
            this.wrap = wrap;
        }

        @Override
        public void write(Kryo kryo, Output output, Collection<Object> collection) {
            if (sorted) {
                kryo.writeClassAndObject(output, ((SortedSet<Object>) collection).comparator());
            }
            // toArray is one atomic call even on a synchronized wrapper, unlike iteration.
            Object[] elements = collection.toArray();
            output.writeVarInt(elements.length, true);
            for (Object element : elements) {
                kryo.writeClassAndObject(output, element);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public Collection<Object> read(Kryo kryo, Input input, Class<? extends Collection<Object>> type) {
            Comparator<Object> comparator = sorted ? (Comparator<Object>) kryo.readClassAndObject(input) : null;
            int size = input.readVarInt(true);
            Collection<Object> inner = backing.apply(comparator);
            for (int i = 0; i < size; i++) {
                inner.add(kryo.readClassAndObject(input));
            }
            return wrap.apply(inner);
        }
    }

    private static final class CopyingMapSerializer extends Serializer<Map<Object, Object>> {
        private final boolean sorted;
        private final Function<Comparator<Object>, Map<Object, Object>> backing;
        private final UnaryOperator<Map<Object, Object>> wrap;

        CopyingMapSerializer(boolean sorted, Function<Comparator<Object>, Map<Object, Object>> backing,
                UnaryOperator<Map<Object, Object>> wrap) {
            this.sorted = sorted;
            this.backing = backing;
            this.wrap = wrap;
        }

        @Override
        public void write(Kryo kryo, Output output, Map<Object, Object> map) {
            if (sorted) {
                kryo.writeClassAndObject(output, ((SortedMap<Object, Object>) map).comparator());
            }
            Object[] pairs;
            // Collections.synchronizedMap locks on the wrapper itself; iteration must hold that lock.
            synchronized (map) {
                pairs = new Object[map.size() * 2];
                int i = 0;
                for (Map.Entry<Object, Object> e : map.entrySet()) {
                    pairs[i++] = e.getKey();
                    pairs[i++] = e.getValue();
                }
            }
            output.writeVarInt(pairs.length / 2, true);
            for (Object o : pairs) {
                kryo.writeClassAndObject(output, o);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public Map<Object, Object> read(Kryo kryo, Input input, Class<? extends Map<Object, Object>> type) {
            Comparator<Object> comparator = sorted ? (Comparator<Object>) kryo.readClassAndObject(input) : null;
            int size = input.readVarInt(true);
            Map<Object, Object> inner = backing.apply(comparator);
            for (int i = 0; i < size; i++) {
                Object key = kryo.readClassAndObject(input);
                inner.put(key, kryo.readClassAndObject(input));
            }
            return wrap.apply(inner);
        }
    }

    /** {@code Map.entry(k, v)}: a private JDK class that is not Serializable. */
    private static final class MapEntrySerializer extends Serializer<Map.Entry<Object, Object>> {
        MapEntrySerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output output, Map.Entry<Object, Object> entry) {
            kryo.writeClassAndObject(output, entry.getKey());
            kryo.writeClassAndObject(output, entry.getValue());
        }

        @Override
        public Map.Entry<Object, Object> read(Kryo kryo, Input input, Class<? extends Map.Entry<Object, Object>> type) {
            Object key = kryo.readClassAndObject(input);
            return Map.entry(key, kryo.readClassAndObject(input));
        }
    }
}
