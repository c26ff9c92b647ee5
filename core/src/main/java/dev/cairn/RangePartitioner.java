package dev.cairn;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Places keys into sorted, contiguous ranges: partition {@code i} holds the keys greater than
 * bound {@code i-1} and at most bound {@code i}. Build one from explicit bounds, or from a
 * sample with {@link #fromSample}. {@code null} keys go to partition 0.
 *
 * @param <K> key type
 */
public final class RangePartitioner<K> extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final List<K> upperBounds;
    private final Comparator<? super K> comparator;

    /**
     * @param upperBounds sorted, distinct upper bounds of every partition but the last; there are
     *                    {@code upperBounds.size() + 1} partitions
     * @param comparator  the key order; must be {@link Serializable} (e.g. {@code Comparator.naturalOrder()})
     */
    public RangePartitioner(List<K> upperBounds, Comparator<? super K> comparator) {
        Objects.requireNonNull(upperBounds, "upperBounds");
        Objects.requireNonNull(comparator, "comparator");
        for (int i = 1; i < upperBounds.size(); i++) {
            if (comparator.compare(upperBounds.get(i - 1), upperBounds.get(i)) >= 0) {
                throw new CairnException("upperBounds must be sorted and distinct, but bound " + (i - 1)
                        + " (" + upperBounds.get(i - 1) + ") is not below bound " + i + " (" + upperBounds.get(i) + ")");
            }
        }
        this.upperBounds = Collections.unmodifiableList(new ArrayList<>(upperBounds));
        this.comparator = comparator;
    }

    /**
     * A partitioner with {@code partitions} ranges of about equal size over {@code sample}.
     * Fewer partitions result when the sample has fewer distinct keys.
     */
    public static <K extends Comparable<? super K>> RangePartitioner<K> fromSample(List<K> sample, int partitions) {
        if (partitions <= 0) {
            throw new CairnException("Cannot create partitioner: (expected partitions > 0, found " + partitions + ")");
        }
        List<K> sorted = new ArrayList<>(sample);
        sorted.removeIf(Objects::isNull);
        Collections.sort(sorted);
        List<K> bounds = new ArrayList<>();
        for (int i = 1; i < partitions && !sorted.isEmpty(); i++) {
            K candidate = sorted.get((int) ((long) i * sorted.size() / partitions));
            if (bounds.isEmpty() || bounds.get(bounds.size() - 1).compareTo(candidate) < 0) {
                bounds.add(candidate);
            }
        }
        Comparator<K> natural = Comparator.naturalOrder();
        return new RangePartitioner<>(bounds, natural);
    }

    @Override
    public int numPartitions() {
        return upperBounds.size() + 1;
    }

    @Override
    @SuppressWarnings("unchecked")
    public int partition(Object key) {
        if (key == null) {
            return 0;
        }
        int i = Collections.binarySearch(upperBounds, (K) key, comparator);
        return i >= 0 ? i : -i - 1;
    }

    /** The upper bounds, sorted. */
    public List<K> upperBounds() {
        return upperBounds;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RangePartitioner)) {
            return false;
        }
        RangePartitioner<?> other = (RangePartitioner<?>) o;
        return upperBounds.equals(other.upperBounds) && comparator.equals(other.comparator);
    }

    @Override
    public int hashCode() {
        return upperBounds.hashCode();
    }

    @Override
    public String toString() {
        return "RangePartitioner" + Arrays.toString(upperBounds.toArray());
    }
}
