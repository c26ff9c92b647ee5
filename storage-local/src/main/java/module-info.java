/** Cairn's {@code file://} storage: local disks and mounted network file systems. */
module dev.cairn.storage.local {
    requires dev.cairn.core;
    requires org.slf4j;

    exports dev.cairn.storage.local;

    provides dev.cairn.storage.StorageProvider with dev.cairn.storage.local.LocalStorageProvider;
}
