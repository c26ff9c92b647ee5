package dev.cairn.examples.kills;

import dev.cairn.testkit.S3ProxyServer;

/**
 * An S3 server for the kill campaign, run in a JVM of its own so that the processes the campaign
 * kills talk to it over the network, as they would to S3: the test kit's S3Proxy over an in-memory
 * blob store on a loopback port, AWS V4 authentication, one bucket. Prints {@code READY <endpoint>}
 * once it serves, and stops when its standard input closes (the test ends it, or the test JVM dies).
 *
 * <p>Arguments: the bucket to create, then optionally the access key and secret key it accepts
 * (default {@link #ACCESS_KEY} and {@link #SECRET_KEY}).
 */
public final class S3ServerMain {
    public static final String ACCESS_KEY = "kill-campaign";
    public static final String SECRET_KEY = "kill-campaign-secret";

    private S3ServerMain() {
    }

    public static void main(String[] args) throws Exception {
        String accessKey = args.length > 2 ? args[1] : ACCESS_KEY;
        String secretKey = args.length > 2 ? args[2] : SECRET_KEY;
        S3ProxyServer server = S3ProxyServer.builder().buckets(args[0]).credentials(accessKey, secretKey).start();
        System.out.println("READY " + server.endpoint());
        System.out.flush();
        ServerMains.awaitEndOfInput();
        server.close();
        System.exit(0); // Jetty's threads are not daemons
    }
}
