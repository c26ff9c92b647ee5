package dev.cairn.examples.secrets;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The secret-bearing options {@link SecretRedactionTest} covers, and the distinctive value
 * ("canary") each gets: {@code <prefix>-<option>}, so that a leak names the option it came from.
 * The access keys ({@code cairn.s3.access-key}, {@code fs.s3a.access.key}) are identifiers that
 * every signed request carries in the clear, not secrets, and are not on the list.
 */
final class SecretOptions {
    static final String S3_SECRET_KEY = "cairn.s3.secret-key";
    static final String S3_SESSION_TOKEN = "cairn.s3.session-token";
    /** Not an option: the password of an endpoint written as {@code http://user:password@host}, which the S3 settings refuse. */
    static final String ENDPOINT_USERINFO = "endpoint-userinfo";

    /** Every secret option a scenario sets; the Hadoop ones reach the Hadoop {@code Configuration} as {@code <key>} without the prefix. */
    static final List<String> KEYS = List.of(
            S3_SECRET_KEY,
            S3_SESSION_TOKEN,
            "cairn.hadoop.fs.s3a.secret.key",
            "cairn.hadoop.fs.s3a.session.token",
            "cairn.hadoop.fs.s3a.bucket." + SecretScenarios.MISSING_BUCKET + ".session.token",
            "cairn.hadoop.fs.s3a.encryption.key",
            "cairn.hadoop.fs.azure.account.key.cairnaccount.dfs.core.windows.net",
            "cairn.hadoop.fs.azure.account.oauth2.client.secret",
            "cairn.hadoop.fs.azure.sas.fixed.token",
            "cairn.hadoop.fs.gs.auth.service.account.private.key",
            "cairn.hadoop.ssl.client.truststore.password",
            "cairn.hadoop.ssl.client.keystore.keypassword",
            "cairn.hadoop.hadoop.http.authentication.signature.secret",
            "cairn.hadoop.fs.adl.oauth2.credential");

    private SecretOptions() {
    }

    /** The canary of each key of {@link #KEYS}, of {@link #ENDPOINT_USERINFO}, and of {@code server-secret-key}. */
    static Map<String, String> canaries(String prefix) {
        Map<String, String> c = new LinkedHashMap<>();
        for (String key : KEYS) {
            c.put(key, prefix + "-" + key.replaceAll("[^A-Za-z0-9]+", "-"));
        }
        c.put(ENDPOINT_USERINFO, prefix + "-" + ENDPOINT_USERINFO);
        c.put("server-secret-key", prefix + "-server-secret-key");
        return c;
    }
}
