package dev.cairn.storage.hdfs;

import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import java.net.MalformedURLException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Hadoop {@link Configuration} of a storage, in the order a Hadoop client would see
 * it, later sources winning:
 * <ol>
 *   <li>Hadoop's defaults and the {@code core-site.xml} (and, once HDFS classes load,
 *       {@code hdfs-site.xml}) on the class path, as {@code new Configuration()} reads them;</li>
 *   <li>{@code core-site.xml} and {@code hdfs-site.xml} from the configuration directory:
 *       option {@value HadoopStorageProvider#CONF_DIR}, else the environment's
 *       {@code HADOOP_CONF_DIR}. Hadoop itself never reads that variable; its launch scripts
 *       put the directory on the class path, which an application embedding Cairn does not
 *       have;</li>
 *   <li>every option {@code cairn.hadoop.<key>}, set as {@code <key>}.</li>
 * </ol>
 * Where none of those sets them, two HDFS client keys get Cairn's values instead of Hadoop's
 * defaults ({@link #CAIRN_DEFAULTS}): a checkpoint is many small files, and the HDFS client
 * closing a file asks the NameNode to complete it, which fails until a DataNode has reported
 * the last block; the client then sleeps {@code locateFollowingBlock.initial.delay.ms}
 * (400 ms) before asking again. On a mini cluster that happens for one close in three. Cairn
 * starts at 50 ms and allows ten doublings instead of five, so a close gives up no sooner than
 * with Hadoop's values (51 s against 12.4 s).
 */
final class HadoopConfigurations {
    private static final Logger LOG = LoggerFactory.getLogger(HadoopConfigurations.class);
    static final String ENV_CONF_DIR = "HADOOP_CONF_DIR";
    private static final List<String> SITE_FILES = List.of("core-site.xml", "hdfs-site.xml");
    /** Hadoop keys Cairn sets when nothing else does; see the class javadoc. */
    static final Map<String, String> CAIRN_DEFAULTS = Map.of(
            "dfs.client.block.write.locateFollowingBlock.initial.delay.ms", "50",
            "dfs.client.block.write.locateFollowingBlock.retries", "10");

    private HadoopConfigurations() {
    }

    /**
     * The configuration for {@code options}, with {@code environment} standing in for
     * {@link System#getenv()}.
     *
     * @throws CairnException when the directory named by the option does not exist, or a
     *                        configuration file cannot be parsed
     */
    static Configuration build(CairnOptions options, Map<String, String> environment) {
        Configuration conf = new Configuration(true);
        String dir = options.get(HadoopStorageProvider.CONF_DIR).orElse(null);
        String source = HadoopStorageProvider.CONF_DIR;
        if (dir == null || dir.isBlank()) {
            dir = environment.get(ENV_CONF_DIR);
            source = ENV_CONF_DIR;
        }
        if (dir != null && !dir.isBlank()) {
            addSiteFiles(conf, Path.of(dir.trim()), source);
        }
        // hdfs-default.xml and the class path's hdfs-site.xml join every Configuration once an
        // HDFS class loads; load them now, so that the check below sees what they set.
        HdfsConfiguration.init();
        String prefix = HadoopStorageProvider.HADOOP_PREFIX;
        for (Map.Entry<String, String> e : options.asMap().entrySet()) {
            if (e.getKey().startsWith(prefix) && e.getKey().length() > prefix.length()) {
                // The source shows up in Configuration's own diagnostics ("programmatically" otherwise).
                conf.set(e.getKey().substring(prefix.length()), e.getValue(), "Cairn option " + e.getKey());
            }
        }
        try {
            CAIRN_DEFAULTS.forEach((key, value) -> {
                if (onlyDefaults(conf.getPropertySources(key))) {
                    conf.set(key, value, "Cairn default (HadoopConfigurations)");
                }
            });
            conf.size(); // parses every resource now, so a broken file fails here and not mid-checkpoint
        } catch (RuntimeException e) {
            throw new CairnException("Cannot read Hadoop configuration: " + (dir == null || dir.isBlank() ? "the class path" : dir)
                    + " (expected well-formed "
                    + SITE_FILES + " files, found an error: " + e.getMessage() + ")", e);
        }
        return conf;
    }

    private static boolean onlyDefaults(String[] sources) {
        if (sources == null) {
            return true;
        }
        for (String source : sources) {
            if (!source.endsWith("-default.xml")) {
                return false;
            }
        }
        return true;
    }

    private static void addSiteFiles(Configuration conf, Path dir, String source) {
        if (!Files.isDirectory(dir)) {
            String message = "Cannot read Hadoop configuration directory: " + dir + " (expected a directory with "
                    + SITE_FILES + " as " + source + " says, found none";
            if (source.equals(ENV_CONF_DIR)) {
                // A stale environment variable should not stop a job that does not need the files.
                LOG.warn("{}; using the class path and cairn.hadoop.* options only)", message);
                return;
            }
            throw new CairnException(message + "; fix the option or remove it)");
        }
        for (String name : SITE_FILES) {
            Path file = dir.resolve(name);
            if (Files.isRegularFile(file)) {
                try {
                    conf.addResource(file.toUri().toURL());
                } catch (MalformedURLException e) {
                    throw new CairnException("Cannot read Hadoop configuration file: " + file + " (expected a local path, found "
                            + e.getMessage() + ")", e);
                }
                LOG.debug("Hadoop configuration: added {}", file);
            }
        }
    }
}
