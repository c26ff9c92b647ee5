package dev.cairn.spark.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * DataFrame rows in and out of a checkpoint. A row is stored as an {@code Object[]} of plain
 * Java values, by the schema: a struct as a nested {@code Object[]}, an array as an
 * {@link ArrayList}, a map as a {@link LinkedHashMap}; leaf values (numbers, strings,
 * {@code byte[]}, {@code BigDecimal}, {@code java.sql.Timestamp}/{@code Date} or
 * {@code java.time} values, intervals) are stored as Spark handed them out, so Spark converts
 * them back with the exact inverse of how it produced them. No Scala collection and no Spark
 * class reaches the files: a checkpoint written under Scala 2.12 reads under 2.13 and in a
 * plain Cairn application. The schema itself travels in the manifest's metadata. Not API.
 */
@SuppressWarnings("deprecation") // JavaConverters: deprecated in Scala 2.13, the one converter 2.12 and 2.13 share
public final class Rows {
    private Rows() {
    }

    /** A row as stored. */
    public static Object[] toStored(Row row, StructType schema) {
        StructField[] fields = schema.fields();
        Object[] out = new Object[fields.length];
        for (int i = 0; i < fields.length; i++) {
            out[i] = row.isNullAt(i) ? null : toStored(row.get(i), fields[i].dataType());
        }
        return out;
    }

    private static Object toStored(Object value, DataType type) {
        if (value == null) {
            return null;
        }
        if (type instanceof StructType) {
            return toStored((Row) value, (StructType) type);
        }
        if (type instanceof ArrayType) {
            DataType element = ((ArrayType) type).elementType();
            List<Object> out = new ArrayList<>();
            for (Object e : iterable(value)) {
                out.add(toStored(e, element));
            }
            return out;
        }
        if (type instanceof MapType) {
            MapType m = (MapType) type;
            Map<Object, Object> out = new LinkedHashMap<>();
            if (value instanceof Map) {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                    out.put(toStored(e.getKey(), m.keyType()), toStored(e.getValue(), m.valueType()));
                }
            } else {
                scala.collection.Iterator<?> it = ((scala.collection.Map<?, ?>) value).iterator();
                while (it.hasNext()) {
                    scala.Tuple2<?, ?> e = (scala.Tuple2<?, ?>) it.next();
                    out.put(toStored(e._1(), m.keyType()), toStored(e._2(), m.valueType()));
                }
            }
            return out;
        }
        // leaves, and a user-defined type's object, as Spark handed them out
        return value;
    }

    /**
     * A stored row back as a Row for {@code schema}, in the external types Spark's row encoder
     * takes: a Scala {@code Seq} for an array, a Scala {@code Map} for a map (built through
     * {@code JavaConverters}, which Scala 2.12 and 2.13 both have).
     */
    public static Row fromStored(Object[] stored, StructType schema) {
        StructField[] fields = schema.fields();
        Object[] out = new Object[fields.length];
        for (int i = 0; i < fields.length; i++) {
            out[i] = fromStored(stored[i], fields[i].dataType());
        }
        return RowFactory.create(out);
    }

    private static Object fromStored(Object value, DataType type) {
        if (value == null) {
            return null;
        }
        if (type instanceof StructType) {
            return fromStored((Object[]) value, (StructType) type);
        }
        if (type instanceof ArrayType) {
            DataType element = ((ArrayType) type).elementType();
            List<?> in = (List<?>) value;
            List<Object> out = new ArrayList<>(in.size());
            for (Object e : in) {
                out.add(fromStored(e, element));
            }
            return scala.collection.JavaConverters.asScalaBuffer(out);
        }
        if (type instanceof MapType) {
            MapType m = (MapType) type;
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                out.put(fromStored(e.getKey(), m.keyType()), fromStored(e.getValue(), m.valueType()));
            }
            return scala.collection.JavaConverters.mapAsScalaMap(out);
        }
        return value;
    }

    /** The elements of an array value: a Scala Seq (how Spark hands arrays out), a Java list or an array. */
    private static Iterable<?> iterable(Object value) {
        if (value instanceof Iterable) {
            return (Iterable<?>) value;
        }
        if (value instanceof Object[]) {
            return java.util.Arrays.asList((Object[]) value);
        }
        if (value instanceof scala.collection.Iterable) {
            scala.collection.Iterator<?> it = ((scala.collection.Iterable<?>) value).iterator();
            List<Object> out = new ArrayList<>();
            while (it.hasNext()) {
                out.add(it.next());
            }
            return out;
        }
        throw new IllegalArgumentException("not an array value: " + value.getClass().getName());
    }
}
