/** PNG charts of benchmark results, drawn with XChart. */
package dev.cairn.benchmarks.charts;
