package dev.cairn.spark.testkit;

import java.io.Serializable;
import java.util.Objects;

/**
 * A plain Java element type that both Spark and Cairn serialize: a class, not a record, because
 * Spark's Kryo 4 (its default serializer when {@code spark.serializer} is Kryo) cannot build a
 * serializer for a record, and collected results travel through it.
 */
public final class Point implements Serializable {
    private static final long serialVersionUID = 1L;
    private long id;
    private double x;
    private String label;

    /** For serializers. */
    public Point() {
    }

    /** A point; {@code label} may be null. */
    public Point(long id, double x, String label) {
        this.id = id;
        this.x = x;
        this.label = label;
    }

    /** Points {@code 0 … n-1}, every fifth without a label. */
    public static java.util.List<Point> upTo(long n) {
        java.util.List<Point> out = new java.util.ArrayList<>();
        for (long i = 0; i < n; i++) {
            out.add(of(i));
        }
        return out;
    }

    /** Point {@code i} of {@link #upTo}. */
    public static Point of(long i) {
        return new Point(i, i * 0.5, i % 5 == 0 ? null : "p" + i);
    }

    /** The id. */
    public long id() {
        return id;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Point p && p.id == id && Double.compare(p.x, x) == 0 && Objects.equals(p.label, label);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, x, label);
    }

    @Override
    public String toString() {
        return "Point(" + id + ", " + x + ", " + label + ")";
    }
}
