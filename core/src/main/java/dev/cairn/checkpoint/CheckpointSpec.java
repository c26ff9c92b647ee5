package dev.cairn.checkpoint;

import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import dev.cairn.serde.Compression;
import dev.cairn.serde.Serializer;
import dev.cairn.serde.Serializers;
import java.io.Serializable;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Everything a writer of one checkpoint location needs, in a form that travels: the location,
 * the serializer and compression of its parts, the options that configure storage and
 * serializer, and what the manifest records of its origin. A Spark driver builds one and ships it
 * to its executors; each task opens its part with {@link PartWriter#open} and returns a
 * {@link PartReceipt}; the driver commits with {@link CheckpointWriter}.
 *
 * <p>Immutable and thread-safe. {@link #toString()} hides secret option values (the keys
 * {@link CairnOptions#isSecret} names). The serialized form, which a Spark driver ships to its
 * executors, holds them in the clear: the executors need them to reach the store.
 */
public final class CheckpointSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    private final URI location;
    private final String serializer;
    private final String compression;
    private final TreeMap<String, String> options;
    private final String dataset;
    private final int datasetId;
    private final String datasetName;
    private final String appName;
    private final String contextId;
    private final String writerId;
    private transient volatile Serializer serializerInstance;
    private transient volatile CheckpointSettings settings;

    private CheckpointSpec(Builder b) {
        this.location = CheckpointLayout.normalize(b.location);
        this.options = new TreeMap<>(b.options.asMap());
        this.serializer = b.serializer != null ? b.serializer : b.options.getString(CheckpointOptions.SERIALIZER, "kryo");
        this.compression = Compression.fromId(b.compression != null ? b.compression
                : b.options.getString(CheckpointOptions.COMPRESSION, "none")).id();
        this.dataset = b.dataset != null ? b.dataset : "at " + this.location;
        this.datasetId = b.datasetId;
        this.datasetName = b.datasetName;
        this.appName = b.appName;
        this.contextId = b.contextId;
        this.writerId = UUID.randomUUID().toString();
    }

    /** A builder for a checkpoint at {@code location}, an absolute URI ({@code s3://bucket/ckpt/rdd-3}). */
    public static Builder builder(URI location) {
        return new Builder(location);
    }

    /** The checkpoint's directory, in canonical form. */
    public URI location() {
        return location;
    }

    /** The serializer's name ({@code kryo} or {@code java}). */
    public String serializer() {
        return serializer;
    }

    /** The compression's id ({@code none}, {@code lz4}, {@code zstd}). */
    public String compression() {
        return compression;
    }

    /** The options storage and serializer are built from (secrets included: keep specs out of logs). */
    public CairnOptions options() {
        return CairnOptions.of(options);
    }

    /** The dataset as shown in messages. */
    public String dataset() {
        return dataset;
    }

    /** The dataset's id in its engine, or -1. */
    public int datasetId() {
        return datasetId;
    }

    /** The name the user gave the dataset, for the manifest, or {@code null}. */
    public String datasetName() {
        return datasetName;
    }

    /** The application that writes, for the manifest, or {@code null}. */
    public String appName() {
        return appName;
    }

    /** The writing context's or application's id, for the manifest, or {@code null}. */
    public String contextId() {
        return contextId;
    }

    /** A random id of this write: receipts carry it, so a commit refuses receipts of another write. */
    public String writerId() {
        return writerId;
    }

    /**
     * Where the part of {@code partition} goes, relative to {@link #location()}: {@code part-00003},
     * or {@code 3c/part-00003} with {@code cairn.checkpoint.prefix-spread} set in the options.
     */
    public String partPath(int partition) {
        return CheckpointLayout.partPath(partition, settings().prefixSpread());
    }

    /** The serializer, built on first use and kept by this instance. */
    Serializer newOrCachedSerializer() {
        Serializer s = serializerInstance;
        if (s == null) {
            s = Serializers.forName(serializer, options());
            serializerInstance = s;
        }
        return s;
    }

    CheckpointSettings settings() {
        CheckpointSettings s = settings;
        if (s == null) {
            s = CheckpointSettings.from(options());
            settings = s;
        }
        return s;
    }

    Compression compressionCodec() {
        return Compression.fromId(compression);
    }

    @Override
    public String toString() {
        return "CheckpointSpec[" + location + ", " + dataset + ", serializer " + serializer + ", compression " + compression
                + ", options " + CairnOptions.of(options) + "]";
    }

    /** Collects a spec's settings; {@link #build()} checks them. */
    public static final class Builder {
        private final URI location;
        private CairnOptions options = CairnOptions.empty();
        private String serializer;
        private String compression;
        private String dataset;
        private int datasetId = -1;
        private String datasetName;
        private String appName;
        private String contextId;

        private Builder(URI location) {
            this.location = Objects.requireNonNull(location, "location");
        }

        /**
         * The options storage, serializer and listing waits are configured from; the serializer
         * ({@code cairn.serializer}) and compression ({@code cairn.checkpoint.compression}) come
         * from them unless set below.
         */
        public Builder options(CairnOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /** The options, as a map. */
        public Builder options(Map<String, String> options) {
            return options(CairnOptions.of(options));
        }

        /** The serializer's name, overriding the options. */
        public Builder serializer(String name) {
            this.serializer = Objects.requireNonNull(name, "serializer");
            return this;
        }

        /** The compression's id, overriding the options. */
        public Builder compression(String id) {
            this.compression = Objects.requireNonNull(id, "compression");
            return this;
        }

        /** The dataset as messages and the manifest show it, e.g. {@code MapPartitionsRDD[3]}. */
        public Builder dataset(String label) {
            this.dataset = label;
            return this;
        }

        /** The dataset's id in its engine, recorded in the manifest. */
        public Builder datasetId(int id) {
            this.datasetId = id;
            return this;
        }

        /** The name the user gave the dataset, recorded in the manifest. */
        public Builder datasetName(String name) {
            this.datasetName = name;
            return this;
        }

        /** The application's name, recorded in the manifest. */
        public Builder appName(String appName) {
            this.appName = appName;
            return this;
        }

        /** The writing context's or application's id, recorded in the manifest. */
        public Builder contextId(String contextId) {
            this.contextId = contextId;
            return this;
        }

        /**
         * The spec.
         *
         * @throws CairnException for a location without a scheme, an unknown serializer, or a
         *                        compression that is unknown or whose library is missing
         */
        public CheckpointSpec build() {
            if (location.getScheme() == null) {
                throw new CairnException("Cannot write checkpoint: " + location + " (expected an absolute URI with a scheme,"
                        + " such as file:///tmp/ckpt or s3://bucket/ckpt, found none)");
            }
            CheckpointSpec spec = new CheckpointSpec(this);
            spec.newOrCachedSerializer(); // fails now for an unknown serializer or bad serializer options
            spec.compressionCodec().requireAvailable();
            spec.settings();
            return spec;
        }
    }
}
