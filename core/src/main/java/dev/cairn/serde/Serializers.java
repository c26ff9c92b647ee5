package dev.cairn.serde;

import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import java.util.Collections;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Picks a built-in {@link Serializer} by the name recorded in manifests or set in options.
 */
public final class Serializers {
    /** Option: the serializer new checkpoints use, {@code kryo} (default) or {@code java}. */
    public static final String OPTION_SERIALIZER = "cairn.serializer";

    private static final Set<String> OPTION_KEYS = Collections.unmodifiableSet(new TreeSet<>(Set.of(
            OPTION_SERIALIZER,
            KryoSerializer.OPTION_REGISTRATION_REQUIRED,
            KryoSerializer.OPTION_CLASSES,
            KryoSerializer.OPTION_REFERENCES,
            JavaSerializer.OPTION_ALLOWED_CLASSES)));

    private Serializers() {
    }

    /**
     * A new serializer named {@code name} ({@code kryo} or {@code java}, ignoring case and surrounding
     * blanks), configured by {@code options}. Each call builds a new instance; reuse it, it is
     * thread-safe.
     *
     * @throws CairnException when {@code name} is unknown (the message lists the valid names), or the
     *     options are invalid for that serializer
     */
    public static Serializer forName(String name, CairnOptions options) {
        String wanted = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        switch (wanted) {
            case KryoSerializer.NAME:
                return new KryoSerializer(options);
            case JavaSerializer.NAME:
                return new JavaSerializer(options);
            default:
                throw new CairnException("Cannot create serializer '" + name + "': built-in serializers (expected one of "
                        + KryoSerializer.NAME + ", " + JavaSerializer.NAME + ", found '" + name + "'; check option "
                        + OPTION_SERIALIZER + " or the serializer recorded in the manifest)");
        }
    }

    /**
     * The serializer option {@value #OPTION_SERIALIZER} names (default {@code kryo}), configured by
     * the same options.
     *
     * @throws CairnException as {@link #forName(String, CairnOptions)} does
     */
    public static Serializer fromOptions(CairnOptions options) {
        return forName(options.getString(OPTION_SERIALIZER, KryoSerializer.NAME), options);
    }

    /**
     * Every option key this package reads, sorted, so a context can reject keys nobody reads
     * (usually typos). Does not include {@code cairn.checkpoint.compression}: the checkpoint layer
     * reads that and passes the id to {@link Compression#fromId(String)}.
     */
    public static Set<String> optionKeys() {
        return OPTION_KEYS;
    }
}
