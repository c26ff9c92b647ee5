/**
 * Cairn's public API: a {@link dev.cairn.CairnContext} makes source datasets and runs jobs;
 * a {@link dev.cairn.Dataset} is a partitioned collection defined by its lineage, transformed
 * lazily and computed by actions; a {@link dev.cairn.KeyedDataset} adds operations by key.
 * Every error Cairn throws is a {@link dev.cairn.CairnException}.
 */
package dev.cairn;
