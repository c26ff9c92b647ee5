package dev.cairn.internal.engine;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Function;
import java.util.function.Predicate;

/** Lazy iterator combinators: partitions stream through transformations one record at a time. */
public final class Iterators {
    private Iterators() {
    }

    /** Applies {@code f} to each element as it is pulled. */
    public static <T, R> Iterator<R> map(Iterator<T> in, Function<? super T, ? extends R> f) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return in.hasNext();
            }

            @Override
            public R next() {
                return f.apply(in.next());
            }
        };
    }

    /** Keeps the elements {@code p} accepts. */
    public static <T> Iterator<T> filter(Iterator<T> in, Predicate<? super T> p) {
        return new Iterator<>() {
            private T next;
            private boolean ready;

            @Override
            public boolean hasNext() {
                while (!ready && in.hasNext()) {
                    T candidate = in.next();
                    if (p.test(candidate)) {
                        next = candidate;
                        ready = true;
                    }
                }
                return ready;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ready = false;
                T result = next;
                next = null;
                return result;
            }
        };
    }

    /** Expands each element into the elements of the iterable {@code f} returns. */
    public static <T, R> Iterator<R> flatMap(Iterator<T> in, Function<? super T, ? extends Iterable<? extends R>> f) {
        return concat(map(in, t -> {
            Iterable<? extends R> out = f.apply(t);
            if (out == null) {
                throw new NullPointerException("flatMap function returned null for record " + t + "; return an empty collection instead");
            }
            return out.iterator();
        }));
    }

    /** The elements of each iterator in turn. */
    public static <R> Iterator<R> concat(Iterator<? extends Iterator<? extends R>> iterators) {
        return new Iterator<>() {
            private Iterator<? extends R> current = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && iterators.hasNext()) {
                    current = iterators.next();
                }
                return current.hasNext();
            }

            @Override
            public R next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }
}
