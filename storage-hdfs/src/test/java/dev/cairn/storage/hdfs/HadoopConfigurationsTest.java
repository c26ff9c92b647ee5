package dev.cairn.storage.hdfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a storage's Hadoop configuration comes from, and which source wins. */
class HadoopConfigurationsTest {
    private static final String DELAY = "dfs.client.block.write.locateFollowingBlock.initial.delay.ms";

    @TempDir
    Path dir;

    @Test
    void cairnHadoopOptionsBecomeHadoopKeys() {
        Configuration conf = build(Map.of("cairn.hadoop.fs.s3a.endpoint", "http://127.0.0.1:9000", "cairn.other", "x"), Map.of());
        assertEquals("http://127.0.0.1:9000", conf.get("fs.s3a.endpoint"));
        assertEquals("Cairn option cairn.hadoop.fs.s3a.endpoint", conf.getPropertySources("fs.s3a.endpoint")[0]);
    }

    @Test
    void theConfigurationDirectoryIsReadAndOptionsWinOverIt() throws IOException {
        site("core-site.xml", Map.of("cairn.test.a", "from core-site", "cairn.test.b", "from core-site"));
        site("hdfs-site.xml", Map.of("cairn.test.c", "from hdfs-site"));

        Configuration conf = build(Map.of(HadoopStorageProvider.CONF_DIR, dir.toString(), "cairn.hadoop.cairn.test.b", "from option"),
                Map.of());
        assertEquals("from core-site", conf.get("cairn.test.a"));
        assertEquals("from option", conf.get("cairn.test.b"));
        assertEquals("from hdfs-site", conf.get("cairn.test.c"));
    }

    @Test
    void hadoopConfDirFromTheEnvironmentIsReadUnlessTheOptionNamesAnother(@TempDir Path other) throws IOException {
        site("core-site.xml", Map.of("cairn.test.a", "from env dir"));
        Files.writeString(other.resolve("core-site.xml"), xml(Map.of("cairn.test.a", "from option dir")), StandardCharsets.UTF_8);

        assertEquals("from env dir", build(Map.of(), Map.of("HADOOP_CONF_DIR", dir.toString())).get("cairn.test.a"));
        assertEquals("from option dir", build(Map.of(HadoopStorageProvider.CONF_DIR, other.toString()),
                Map.of("HADOOP_CONF_DIR", dir.toString())).get("cairn.test.a"));
    }

    @Test
    void aMissingDirectoryFailsWhenAnOptionNamesItAndIsSkippedWhenTheEnvironmentDoes() {
        CairnException e = assertThrows(CairnException.class,
                () -> build(Map.of(HadoopStorageProvider.CONF_DIR, dir.resolve("missing").toString()), Map.of()));
        assertTrue(e.getMessage().contains("expected a directory with [core-site.xml, hdfs-site.xml] as cairn.hdfs.conf-dir says,"
                + " found none; fix the option or remove it)"), e.getMessage());

        Configuration conf = build(Map.of(), Map.of("HADOOP_CONF_DIR", dir.resolve("missing").toString()));
        assertEquals(null, conf.get("cairn.test.a"));
    }

    @Test
    void aBrokenSiteFileFailsWhenTheStorageOpensNotLater() throws IOException {
        Files.writeString(dir.resolve("core-site.xml"), "<configuration><property><name>x</name>", StandardCharsets.UTF_8);
        CairnException e = assertThrows(CairnException.class,
                () -> build(Map.of(HadoopStorageProvider.CONF_DIR, dir.toString()), Map.of()));
        assertTrue(e.getMessage().startsWith("Cannot read Hadoop configuration: " + dir), e.getMessage());
    }

    @Test
    void cairnsSmallFileDefaultsGiveWayToAnyUserSetting() throws IOException {
        assertEquals("50", build(Map.of(), Map.of()).get(DELAY));
        assertEquals("400", build(Map.of("cairn.hadoop." + DELAY, "400"), Map.of()).get(DELAY));

        site("hdfs-site.xml", Map.of(DELAY, "250"));
        Configuration fromSite = build(Map.of(HadoopStorageProvider.CONF_DIR, dir.toString()), Map.of());
        assertEquals("250", fromSite.get(DELAY), Arrays.toString(fromSite.getPropertySources(DELAY)));
    }

    private static Configuration build(Map<String, String> options, Map<String, String> environment) {
        return HadoopConfigurations.build(CairnOptions.of(options), environment);
    }

    private void site(String name, Map<String, String> properties) throws IOException {
        Files.writeString(dir.resolve(name), xml(properties), StandardCharsets.UTF_8);
    }

    private static String xml(Map<String, String> properties) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?>\n<configuration>\n");
        properties.forEach((k, v) -> xml.append("  <property><name>").append(k).append("</name><value>").append(v)
                .append("</value></property>\n"));
        return xml.append("</configuration>\n").toString();
    }
}
