/**
 * The native {@code s3://bucket/prefix} storage backend on the AWS SDK for Java v2: one object per
 * file, published atomically by a single PUT or a multipart upload completed on commit (aborted
 * otherwise), no-overwrite commits guarded by {@code If-None-Match: *}, paginated
 * {@code ListObjectsV2} listings declared eventually consistent by default so that core's
 * {@code ListingWaiter} polls until every part of a checkpoint is visible, and SDK retries for
 * throttling and transient errors. Public: {@link dev.cairn.storage.s3.S3StorageProvider} (found
 * through {@code ServiceLoader}), {@link dev.cairn.storage.s3.S3Storage},
 * {@link dev.cairn.storage.s3.S3StorageSettings} (every {@code cairn.s3.*} option),
 * {@link dev.cairn.storage.s3.S3Checksum} and {@link dev.cairn.storage.s3.S3StorageException};
 * everything else is package-private. No AWS type appears in a public signature.
 */
package dev.cairn.storage.s3;
