/**
 * The storage SPI: a {@link dev.cairn.storage.Storage} per URI scheme, found through
 * {@link dev.cairn.storage.StorageProvider} and {@link java.util.ServiceLoader}, held per context
 * by a {@link dev.cairn.storage.StorageRegistry}. Backends only publish, list, stat and delete
 * files; the checkpoint commit protocol lives in core.
 */
package dev.cairn.storage;
