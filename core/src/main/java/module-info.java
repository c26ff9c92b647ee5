/**
 * Cairn's core: the dataset API ({@code dev.cairn}), the ML helpers ({@code dev.cairn.ml}), the
 * engine-neutral checkpoint format ({@code dev.cairn.checkpoint}), the serializer SPI and codecs
 * ({@code dev.cairn.serde}), the storage SPI and {@code memory://} ({@code dev.cairn.storage},
 * {@code dev.cairn.storage.memory}) and the options ({@code dev.cairn.config}). The engine
 * ({@code dev.cairn.internal.engine}) is not exported.
 */
module dev.cairn.core {
    requires org.slf4j;
    requires com.fasterxml.jackson.core;
    requires com.esotericsoftware.kryo.kryo5;
    requires static org.lz4.java;
    requires static com.github.luben.zstd_jni;

    exports dev.cairn;
    exports dev.cairn.ml;
    exports dev.cairn.checkpoint;
    exports dev.cairn.serde;
    exports dev.cairn.storage;
    exports dev.cairn.storage.memory;
    exports dev.cairn.config;

    uses dev.cairn.storage.StorageProvider;
    provides dev.cairn.storage.StorageProvider with dev.cairn.storage.memory.MemoryStorageProvider;
}
