package dev.cairn;

import dev.cairn.internal.engine.Node;

/** A dataset that is not keyed: the facade of any node whose records are not pairs by key. */
final class PlainDataset<T> extends Dataset<T> {
    PlainDataset(CairnContext context, Node<T> node) {
        super(context, node);
    }
}
