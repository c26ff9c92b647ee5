/**
 * The {@code file://} storage backend for local disks and mounted network file systems (NFS,
 * EFS, SMB). Files are published by writing a hidden temporary file next to the target and
 * moving or hard-linking it into place, so readers only ever see whole files; fsync of file and
 * directory is on by default. See {@link dev.cairn.storage.local.LocalStorage} for the exact
 * guarantees and {@link dev.cairn.storage.local.LocalStorageProvider} for the options.
 */
package dev.cairn.storage.local;
