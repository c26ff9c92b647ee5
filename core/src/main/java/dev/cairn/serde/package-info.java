/**
 * Record serialization for checkpoints: a {@link dev.cairn.serde.Serializer} turns a partition's
 * records into one framed byte stream and back, one record at a time, so a partition is never held
 * whole in memory. Two formats are built in, {@link dev.cairn.serde.KryoSerializer} (the default,
 * fast and compact) and {@link dev.cairn.serde.JavaSerializer} (the fallback for types only Java
 * serialization handles), picked by name through {@link dev.cairn.serde.Serializers}; a
 * {@link dev.cairn.serde.Compression} codec can be layered underneath. Both formats end every stream
 * with an explicit end marker, so a truncated file fails with an {@link java.io.IOException}
 * instead of reading as a shorter, complete partition, and both refuse at write time a record whose
 * classes a reader could not load by name (a lambda's hidden class, say). Java deserialization, in
 * either format, runs through an {@link java.io.ObjectInputFilter} that honours
 * {@code jdk.serialFilter} and option {@value dev.cairn.serde.JavaSerializer#OPTION_ALLOWED_CLASSES}.
 * The serializer name and compression id are what checkpoint manifests record, so a reader can pick
 * the same format later. This package depends on nothing of Cairn but its exceptions and
 * {@link dev.cairn.config.CairnOptions}.
 */
package dev.cairn.serde;
