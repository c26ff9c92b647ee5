package dev.cairn.examples;

import dev.cairn.CairnContext;
import dev.cairn.Dataset;

/**
 * The first thing to run: builds a range, maps it, and prints the lineage and the count.
 * Runs on an embedded default (this JVM, no server). {@code mvn -B -q -pl examples -am -DskipTests package exec:java}
 */
public final class QuickStart {
    private QuickStart() {
    }

    /** Runs the example; takes no arguments. */
    public static void main(String[] args) {
        try (CairnContext ctx = CairnContext.builder().appName("quick-start").parallelism(2).build()) {
            Dataset<Long> numbers = ctx.range(0, 1_000, 10);
            Dataset<Long> plusOne = numbers.map(x -> x + 1);
            Dataset<Long> even = plusOne.filter(x -> x % 2 == 0);

            System.out.println("Lineage of the dataset:");
            System.out.print(even.lineage());
            System.out.println("Lineage depth: " + even.lineageDepth());
            System.out.println("Count: " + even.count());
            System.out.println("First five: " + even.take(5));
        }
    }
}
