package dev.cairn.storage.hdfs;

import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import dev.cairn.storage.StorageProvider;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Serves {@code hdfs}, {@code viewfs}, {@code webhdfs} and {@code s3a} (and any scheme added as
 * described below) with a {@link HadoopStorage} on top of Hadoop's {@code FileSystem} API. Found
 * through {@code META-INF/services} when {@code cairn-storage-hdfs} is on the class path.
 *
 * <h2>Options</h2>
 * <table>
 *   <caption>Options read by this provider</caption>
 *   <tr><th>key</th><th>values</th><th>default</th></tr>
 *   <tr><td>{@code cairn.hadoop.<key>}</td><td>any</td>
 *       <td>Set as {@code <key>} in the Hadoop {@code Configuration}, over the configuration
 *       files: {@code cairn.hadoop.fs.s3a.endpoint=http://127.0.0.1:9000},
 *       {@code cairn.hadoop.dfs.replication=2}.</td></tr>
 *   <tr><td>{@value #SCHEMES}</td><td>comma-separated schemes</td>
 *       <td>none: schemes served in addition to {@link #DEFAULT_SCHEMES}, each needing its
 *       Hadoop connector on the class path.</td></tr>
 *   <tr><td>{@value #CONF_DIR}</td><td>a local directory</td>
 *       <td>{@code HADOOP_CONF_DIR} from the environment, if set. Its {@code core-site.xml} and
 *       {@code hdfs-site.xml} are read over those found on the class path.</td></tr>
 *   <tr><td>{@value #SYNC}</td><td>{@code hsync}, {@code hflush}, {@code none}</td>
 *       <td>{@code hsync}: every commit forces the file's blocks to the DataNodes' disks before
 *       publishing it (see {@link HadoopStorage}). File systems whose streams cannot sync
 *       (s3a, webhdfs) skip it; their commit is as durable as their {@code close()}.</td></tr>
 *   <tr><td>{@value #DIRECT_WRITE_SCHEMES}</td><td>comma-separated schemes</td>
 *       <td>{@value #DEFAULT_DIRECT_WRITE_SCHEMES}: on these object stores, where a rename is a
 *       copy, files are written straight to their final name; every other scheme writes a
 *       temporary file and renames it. Add the scheme of another object store ({@code gs},
 *       {@code oss}) only if its output streams can abort an upload
 *       ({@code fs.capability.outputstream.abortable}); creating a file fails otherwise.</td></tr>
 *   <tr><td>{@value #S3A_LISTING_CONSISTENCY}</td><td>{@code eventual}, {@code strong}</td>
 *       <td>{@code eventual}, as {@code cairn.s3.listing.consistency}: readers poll the
 *       listing until every part is visible. {@code strong} for AWS S3 since December 2020
 *       and stores known to list consistently, to skip the polling.</td></tr>
 * </table>
 *
 * <h2>More schemes</h2>
 * Any other Hadoop file system ({@code abfs}, {@code gs}, {@code ofs}, ...) is served when its
 * connector is on the class path and its scheme is added, either with the context option
 * {@value #SCHEMES} ({@code cairn.hdfs.schemes=abfs,gs}) or by registering
 * {@link #withExtraSchemes(String...)} with {@code CairnContext.Builder.storageProvider}. The
 * {@code file} scheme is never served here; that is {@code cairn-storage-local}'s.
 *
 * <p>Thread-safe (immutable).
 */
public final class HadoopStorageProvider implements StorageProvider {
    /** The schemes served by default. */
    public static final Set<String> DEFAULT_SCHEMES = Set.of("hdfs", "viewfs", "webhdfs", "s3a");
    /** Option: extra schemes to serve, comma-separated. */
    public static final String SCHEMES = "cairn.hdfs.schemes";
    /** Option prefix for Hadoop configuration keys: {@value}. */
    public static final String HADOOP_PREFIX = "cairn.hadoop.";
    /** Option: the Hadoop configuration directory, default {@code HADOOP_CONF_DIR}. */
    public static final String CONF_DIR = "cairn.hdfs.conf-dir";
    /** Option: what a commit forces to disk, {@code hsync} (default), {@code hflush} or {@code none}. */
    public static final String SYNC = "cairn.hdfs.sync";
    /** Option: schemes published by writing the final name directly. */
    public static final String DIRECT_WRITE_SCHEMES = "cairn.hdfs.direct-write-schemes";
    /** Option: listing consistency reported for {@code s3a}, {@code eventual} (default) or {@code strong}. */
    public static final String S3A_LISTING_CONSISTENCY = "cairn.hdfs.s3a.listing.consistency";

    static final String DEFAULT_DIRECT_WRITE_SCHEMES = "s3a";
    private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.-]*");

    private final Set<String> schemes;

    /** The provider {@link java.util.ServiceLoader} makes: the default schemes, plus those of {@value #SCHEMES}. */
    public HadoopStorageProvider() {
        this(Set.of());
    }

    private HadoopStorageProvider(Collection<String> extra) {
        TreeSet<String> all = new TreeSet<>(DEFAULT_SCHEMES);
        all.addAll(extra);
        this.schemes = Collections.unmodifiableSet(all);
    }

    /**
     * A provider for the default schemes plus {@code extraSchemes}, to register explicitly with
     * a context ({@code CairnContext.builder().storageProvider(...)}), where it wins over the
     * discovered one for every scheme it serves.
     *
     * @throws CairnException for an invalid scheme or {@code file}
     */
    public static HadoopStorageProvider withExtraSchemes(String... extraSchemes) {
        Objects.requireNonNull(extraSchemes, "extraSchemes");
        TreeSet<String> extra = new TreeSet<>();
        for (String s : extraSchemes) {
            extra.add(checkScheme(Objects.requireNonNull(s, "scheme"), "register scheme"));
        }
        return new HadoopStorageProvider(extra);
    }

    private static Set<String> schemeList(String value, String what) {
        TreeSet<String> extra = new TreeSet<>();
        for (String s : value.split(",")) {
            if (!s.isBlank()) {
                extra.add(checkScheme(s, what));
            }
        }
        return extra;
    }

    private static String checkScheme(String scheme, String what) {
        String s = scheme.trim().toLowerCase(Locale.ROOT);
        if (!SCHEME.matcher(s).matches()) {
            throw new CairnException("Cannot " + what + ": '" + scheme
                    + "' (expected a URI scheme such as abfs or gs, found characters a scheme cannot have)");
        }
        if (s.equals("file")) {
            throw new CairnException("Cannot " + what + ": 'file' (expected a Hadoop file system scheme other than file,"
                    + " found file; file:// is served by cairn-storage-local)");
        }
        return s;
    }

    /** The default schemes and those given to {@link #withExtraSchemes}, lower case, sorted. */
    @Override
    public Set<String> schemes() {
        return schemes;
    }

    /**
     * {@link #schemes()} plus the schemes of the option {@value #SCHEMES}.
     *
     * @throws CairnException if the option names an invalid scheme or {@code file}
     */
    @Override
    public Set<String> schemes(CairnOptions options) {
        String extra = options.getString(SCHEMES, "");
        if (extra.isBlank()) {
            return schemes;
        }
        TreeSet<String> all = new TreeSet<>(schemes);
        all.addAll(schemeList(extra, "read option " + SCHEMES));
        return Collections.unmodifiableSet(all);
    }

    /** The {@value #HADOOP_PREFIX} prefix and this provider's {@code cairn.hdfs.*} keys. */
    @Override
    public Set<String> optionKeys() {
        return Set.of(HADOOP_PREFIX, SCHEMES, CONF_DIR, SYNC, DIRECT_WRITE_SCHEMES, S3A_LISTING_CONSISTENCY);
    }

    /**
     * A {@link HadoopStorage} for {@code scheme}, with a Hadoop configuration built from the
     * configuration files and {@code options}.
     *
     * @throws CairnException if an option has an invalid value or the configuration directory
     *                        given in {@value #CONF_DIR} does not exist
     * @throws IllegalArgumentException if this provider does not serve {@code scheme}
     */
    @Override
    public HadoopStorage open(String scheme, CairnOptions options) {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(options, "options");
        String s = scheme.toLowerCase(Locale.ROOT);
        Set<String> served = schemes(options);
        if (!served.contains(s)) {
            throw new IllegalArgumentException("Cannot open storage for scheme '" + scheme + "' (expected one of " + served
                    + ", found '" + scheme + "'; add it with the option " + SCHEMES + " or HadoopStorageProvider.withExtraSchemes)");
        }
        HadoopSettings settings = HadoopSettings.from(s, options);
        return new HadoopStorage(s, HadoopConfigurations.build(options, System.getenv()), settings);
    }

    @Override
    public String toString() {
        return "HadoopStorageProvider" + Arrays.toString(schemes.toArray());
    }
}
