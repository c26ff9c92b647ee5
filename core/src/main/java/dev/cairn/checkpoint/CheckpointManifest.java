package dev.cairn.checkpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code _manifest.json} of a checkpoint: written last, its presence is the commit. It lists
 * every part with its byte length, record count and CRC32C, so readers judge the directory against
 * it and never by counting files.
 *
 * <p>Readers ignore fields they do not know (so later revisions of a format version may add some)
 * and refuse a manifest whose {@code formatVersion} is newer than {@link #FORMAT_VERSION}.
 *
 * <p>Format versions: <b>1</b>, part files are the record stream as it is; <b>2</b>, part files
 * are cut into CRC32C-checked blocks of at most {@code blockSize} bytes (see {@link #blockSize()}),
 * so a reader checks every byte before it decodes it; <b>3</b> (written now), as 2, but each
 * block's CRC32C also covers the block's index, so an intact block at the wrong place fails its
 * check too; <b>4</b>, as 3, with the parts spread over sub-prefixes of the checkpoint directory
 * ({@link #prefixSpread()}, written only with {@link CheckpointOptions#PREFIX_SPREAD}): each part's
 * {@code name} is then its path relative to the directory, {@code <pp>/part-NNNNN}. A checkpoint
 * without a spread is still written as version 3, so older readers keep reading it; they refuse a
 * version 4 one as newer instead of looking for its parts where they are not. All four are read.
 *
 * <p>Serializable, so a reader can travel to another process with it.
 *
 * @param formatVersion  the layout version, {@link #FORMAT_VERSION} when written by this code
 * @param datasetId      id of the dataset in the writing context
 * @param datasetName    the dataset's name, or {@code null}
 * @param dataset        the dataset as shown in messages, e.g. {@code MapPartitionsDataset[3]}
 * @param appName        the writing context's app name
 * @param contextId      the writing context's id
 * @param numPartitions  partitions of the dataset (= parts)
 * @param parts          one entry per partition, in partition order
 * @param serializer     serializer name ({@code kryo}, {@code java})
 * @param compression    compression id ({@code none}, {@code lz4}, {@code zstd})
 * @param createdAt      when the manifest was written
 * @param partitioner    class of the partitioner stored in {@code _partitioner}, or {@code null} if none
 * @param partitionerCrc32c CRC32C of the {@code _partitioner} file (0 if none)
 * @param metadata       free user metadata (the resumable loop keeps its iteration here)
 * @param blockSize      formats 2 to 4: the largest block of a part file; 0 for format 1 (no blocks)
 * @param prefixSpread   format 4: over how many sub-prefixes the parts were spread (1 to
 *                       {@link CheckpointLayout#MAX_PREFIX_SPREAD}); 0 for formats 1 to 3 (parts in the directory itself)
 */
public record CheckpointManifest(int formatVersion, int datasetId, String datasetName, String dataset, String appName,
                                 String contextId, int numPartitions, List<Part> parts, String serializer, String compression,
                                 Instant createdAt, String partitioner, long partitionerCrc32c, Map<String, String> metadata,
                                 int blockSize, int prefixSpread) implements java.io.Serializable {

    /** The layout version this code writes for a checkpoint without a prefix spread. */
    public static final int FORMAT_VERSION = 3;
    /** The layout version this code writes for a checkpoint with a prefix spread, and the newest it reads. */
    public static final int SPREAD_FORMAT_VERSION = 4;
    /** The block size formats 2 and 3 write: 64 KiB. */
    public static final int DEFAULT_BLOCK_SIZE = 64 * 1024;
    /** The largest block size a reader accepts (bounds what a damaged or hostile manifest can make it allocate). */
    public static final int MAX_BLOCK_SIZE = 16 * 1024 * 1024;
    /** Name of the manifest file. */
    public static final String FILE_NAME = "_manifest.json";
    /** Name of the file holding the serialized partitioner. */
    public static final String PARTITIONER_FILE = "_partitioner";

    private static final JsonFactory JSON = new JsonFactory();

    /**
     * One part file.
     *
     * @param name    the file's path relative to the checkpoint directory: {@code part-00003}, or
     *                {@code 3c/part-00003} in a spread checkpoint (format 4)
     * @param bytes   length of the file
     * @param records number of records in it
     * @param crc32c  CRC32C of the file's bytes
     * @param streamBytes length of the part's record stream before compression and blocks, or -1
     *                when not recorded (manifests written before it was): readers refuse any
     *                array or string that asks for more than what is left of it
     */
    public record Part(String name, long bytes, long records, long crc32c, long streamBytes) implements java.io.Serializable {
        /** A part whose record stream length is not recorded. */
        public Part(String name, long bytes, long records, long crc32c) {
            this(name, bytes, records, crc32c, -1);
        }
    }

    /** A manifest without a prefix spread (formats 1 to 3). */
    public CheckpointManifest(int formatVersion, int datasetId, String datasetName, String dataset, String appName, String contextId,
                              int numPartitions, List<Part> parts, String serializer, String compression, Instant createdAt,
                              String partitioner, long partitionerCrc32c, Map<String, String> metadata, int blockSize) {
        this(formatVersion, datasetId, datasetName, dataset, appName, contextId, numPartitions, parts, serializer, compression,
                createdAt, partitioner, partitionerCrc32c, metadata, blockSize, 0);
    }

    /** The format version a checkpoint with {@code prefixSpread} is written as: 3 without a spread, 4 with one. */
    public static int formatVersionFor(int prefixSpread) {
        return prefixSpread > 0 ? SPREAD_FORMAT_VERSION : FORMAT_VERSION;
    }

    /** Copies the collections; validates the shape. */
    public CheckpointManifest {
        parts = List.copyOf(parts);
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        Objects.requireNonNull(serializer, "serializer");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /**
     * Whether part files are cut into checksummed blocks (format 2 and later).
     */
    public boolean blocked() {
        return blockSize > 0;
    }

    /** Whether each block's CRC32C covers its index in the part file too (format 3 and later). */
    public boolean blocksBoundToPosition() {
        return blocked() && blocksBoundToPosition(formatVersion);
    }

    static boolean blocksBoundToPosition(int formatVersion) {
        return formatVersion >= 3;
    }

    /** {@code part-00000} … : the index zero-padded to 5 digits, more when needed. */
    public static String partName(int index) {
        return String.format("part-%05d", index);
    }

    /** Total bytes of all parts. */
    public long totalBytes() {
        long n = 0;
        for (Part p : parts) {
            n += p.bytes();
        }
        return n;
    }

    /** Total records of all parts. */
    public long totalRecords() {
        long n = 0;
        for (Part p : parts) {
            n += p.records();
        }
        return n;
    }

    /** The manifest as pretty-printed UTF-8 JSON. */
    public byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeJson(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write manifest JSON to memory", e);
        }
        return out.toByteArray();
    }

    /**
     * Writes the manifest as pretty-printed UTF-8 JSON to {@code out}, part by part, without
     * building it in memory first (a manifest of 100,000 parts is about 11 MB of JSON). Leaves
     * {@code out} open.
     */
    public void writeJson(java.io.OutputStream out) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeNumberField("formatVersion", formatVersion);
            g.writeNumberField("datasetId", datasetId);
            g.writeStringField("datasetName", datasetName);
            g.writeStringField("dataset", dataset);
            g.writeStringField("appName", appName);
            g.writeStringField("contextId", contextId);
            g.writeNumberField("numPartitions", numPartitions);
            g.writeStringField("serializer", serializer);
            g.writeStringField("compression", compression);
            g.writeStringField("createdAt", createdAt.toString());
            g.writeStringField("partitioner", partitioner);
            g.writeNumberField("partitionerCrc32c", partitionerCrc32c);
            if (blockSize > 0) {
                g.writeNumberField("blockSize", blockSize);
            }
            if (prefixSpread > 0) {
                g.writeNumberField("prefixSpread", prefixSpread);
            }
            g.writeObjectFieldStart("metadata");
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("parts");
            for (Part p : parts) {
                g.writeStartObject();
                g.writeStringField("name", p.name());
                g.writeNumberField("bytes", p.bytes());
                g.writeNumberField("records", p.records());
                g.writeNumberField("crc32c", p.crc32c());
                if (p.streamBytes() >= 0) {
                    g.writeNumberField("streamBytes", p.streamBytes());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    /** Thrown by {@link #parse} with a message that says what is wrong; callers add the location. */
    public static final class FormatException extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean newerVersion;

        FormatException(String message, boolean newerVersion, Throwable cause) {
            super(message, cause);
            this.newerVersion = newerVersion;
        }

        /** Whether the manifest is of a newer format version than this code reads. */
        public boolean newerVersion() {
            return newerVersion;
        }
    }

    /**
     * Parses a manifest.
     *
     * @throws FormatException when the bytes are not a manifest this version can read; the
     *                         message says expected and found
     */
    public static CheckpointManifest parse(byte[] json) throws FormatException {
        try {
            return parse(JSON.createParser(json));
        } catch (IOException e) {
            throw new FormatException("expected valid JSON, found " + e.getMessage(), false, e);
        }
    }

    /**
     * Parses a manifest as it streams in, without holding its text: memory grows with the parts
     * (about 100 bytes each), not with the JSON. Leaves {@code in} open.
     *
     * @throws FormatException when the bytes are not a manifest this version can read
     * @throws IOException     when reading {@code in} fails (a store or network failure, never
     *                         reported as a malformed manifest)
     */
    public static CheckpointManifest parse(java.io.InputStream in) throws FormatException, IOException {
        try {
            JsonParser parser;
            try {
                parser = JSON.createParser(new SourceStream(in)); // reads the first bytes to learn the encoding
            } catch (SourceFailure e) {
                throw e;
            } catch (IOException e) {
                throw new FormatException("expected valid JSON, found " + e.getMessage(), false, e);
            }
            parser.disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
            return parse(parser);
        } catch (SourceFailure e) {
            throw e.failure;
        }
    }

    /** A failing read of the stream under the parser, told apart from the parser's own complaints about the JSON. */
    private static final class SourceFailure extends IOException {
        private static final long serialVersionUID = 1L;
        private final IOException failure;

        SourceFailure(IOException failure) {
            super(failure);
            this.failure = failure;
        }
    }

    private static final class SourceStream extends java.io.FilterInputStream {
        SourceStream(java.io.InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw new SourceFailure(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw new SourceFailure(e);
            }
        }
    }

    private static CheckpointManifest parse(JsonParser parser) throws FormatException, IOException {
        Map<String, Object> fields = new LinkedHashMap<>();
        try (JsonParser p = parser) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new FormatException("expected a JSON object, found " + p.currentToken(), false, null);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "parts":
                        fields.put(name, readParts(p));
                        break;
                    case "metadata":
                        fields.put(name, readStringMap(p));
                        break;
                    default:
                        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                            p.skipChildren(); // a field of a later minor revision
                        } else if (t == JsonToken.VALUE_NULL) {
                            fields.put(name, null);
                        } else if (t.isNumeric()) {
                            fields.put(name, p.getLongValue());
                        } else {
                            fields.put(name, p.getText());
                        }
                }
            }
        } catch (SourceFailure e) {
            throw e; // the store's, not the JSON's: the caller retries or reports it as a read failure
        } catch (IOException e) {
            throw new FormatException("expected valid JSON, found " + e.getMessage(), false, e);
        }
        long version = number(fields, "formatVersion");
        if (version > SPREAD_FORMAT_VERSION) {
            throw new FormatException("expected format version " + SPREAD_FORMAT_VERSION + " or older, found " + version
                    + "; it was written by a newer Cairn: read it with that version", true, null);
        }
        if (version < 1) {
            throw new FormatException("expected format version 1.." + SPREAD_FORMAT_VERSION + ", found " + version, false, null);
        }
        @SuppressWarnings("unchecked")
        List<Part> parts = (List<Part>) fields.get("parts");
        @SuppressWarnings("unchecked")
        Map<String, String> metadata = (Map<String, String>) fields.getOrDefault("metadata", Map.of());
        if (parts == null) {
            throw new FormatException("expected a 'parts' array, found none", false, null);
        }
        Instant created;
        try {
            created = Instant.parse(text(fields, "createdAt"));
        } catch (java.time.format.DateTimeParseException e) {
            throw new FormatException("expected an ISO-8601 'createdAt', found '" + fields.get("createdAt") + "'", false, e);
        }
        int numPartitions = (int) number(fields, "numPartitions");
        if (numPartitions < 0 || numPartitions != parts.size()) {
            throw new FormatException("expected 'numPartitions' to equal the " + parts.size() + " entries of 'parts', found "
                    + numPartitions, false, null);
        }
        long blockSize = fields.get("blockSize") == null ? 0 : number(fields, "blockSize");
        if (version >= 2 && (blockSize < 1 || blockSize > MAX_BLOCK_SIZE)) {
            throw new FormatException("expected a 'blockSize' of 1 to " + MAX_BLOCK_SIZE + " bytes in a format " + version
                    + " manifest, found " + (fields.get("blockSize") == null ? "none" : blockSize), false, null);
        }
        if (version < 2) {
            blockSize = 0;
        }
        long spread = fields.get("prefixSpread") == null ? 0 : number(fields, "prefixSpread");
        if (spread < 0 || spread > CheckpointLayout.MAX_PREFIX_SPREAD || (spread > 0 && version < SPREAD_FORMAT_VERSION)) {
            throw new FormatException("expected a 'prefixSpread' of 0 to " + CheckpointLayout.MAX_PREFIX_SPREAD + " (above 0 only from"
                    + " format " + SPREAD_FORMAT_VERSION + "), found " + spread + " in a format " + version + " manifest", false, null);
        }
        // The part paths are the one thing in a manifest a reader turns into file locations: only the two forms the layout
        // writes are accepted, so a damaged or hostile manifest cannot point a reader (or a clean-up) outside the checkpoint.
        for (int i = 0; i < parts.size(); i++) {
            String name = parts.get(i).name();
            boolean ok = spread == 0 ? name.equals(partName(i)) : CheckpointLayout.isPartPath(name, i) && name.indexOf('/') > 0;
            if (!ok) {
                throw new FormatException("expected part " + i + " at " + (spread == 0 ? partName(i) : "<two hex digits>/" + partName(i))
                        + (spread == 0 ? "" : " (the manifest spreads its parts over " + spread + " sub-prefixes)") + ", found '"
                        + name + "'", false, null);
            }
        }
        return new CheckpointManifest((int) version, (int) number(fields, "datasetId"), (String) fields.get("datasetName"),
                optionalText(fields, "dataset"), optionalText(fields, "appName"), optionalText(fields, "contextId"),
                numPartitions, parts, text(fields, "serializer"), text(fields, "compression"), created,
                (String) fields.get("partitioner"), fields.get("partitionerCrc32c") == null ? 0 : number(fields, "partitionerCrc32c"),
                metadata == null ? Map.of() : metadata, (int) blockSize, (int) spread);
    }

    private static List<Part> readParts(JsonParser p) throws IOException, FormatException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new FormatException("expected 'parts' to be an array, found " + p.currentToken(), false, null);
        }
        List<Part> parts = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            Map<String, Object> f = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    p.skipChildren();
                } else {
                    f.put(name, t.isNumeric() ? (Object) p.getLongValue() : p.getText());
                }
            }
            long streamBytes = f.get("streamBytes") == null ? -1 : number(f, "streamBytes");
            if (streamBytes < -1) {
                throw new FormatException("expected a 'streamBytes' >= 0 in part '" + f.get("name") + "', found " + streamBytes, false,
                        null);
            }
            parts.add(new Part(text(f, "name"), number(f, "bytes"), number(f, "records"), number(f, "crc32c"), streamBytes));
        }
        return parts;
    }

    private static Map<String, String> readStringMap(JsonParser p) throws IOException, FormatException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return Map.of();
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new FormatException("expected 'metadata' to be an object, found " + p.currentToken(), false, null);
        }
        Map<String, String> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            m.put(name, p.getText());
        }
        return m;
    }

    private static long number(Map<String, Object> f, String name) throws FormatException {
        Object v = f.get(name);
        if (!(v instanceof Long)) {
            throw new FormatException("expected a number in '" + name + "', found " + (v == null ? "none" : "'" + v + "'"), false, null);
        }
        return (Long) v;
    }

    private static String text(Map<String, Object> f, String name) throws FormatException {
        Object v = f.get(name);
        if (!(v instanceof String)) {
            throw new FormatException("expected a string in '" + name + "', found " + (v == null ? "none" : "'" + v + "'"), false, null);
        }
        return (String) v;
    }

    private static String optionalText(Map<String, Object> f, String name) {
        Object v = f.get(name);
        return v == null ? null : String.valueOf(v);
    }
}
