package dev.cairn.examples.kills;

import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.options.CreateContainerOptions;

/**
 * An S3 server for the kill campaign, run in a JVM of its own so that the processes the campaign
 * kills talk to it over the network, as they would to S3: S3Proxy over an in-memory blob store on
 * a loopback port, AWS V4 authentication, one bucket. Prints {@code READY <endpoint>} once it
 * serves, and stops when its standard input closes (the test ends it, or the test JVM dies).
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
        BlobStoreContext blobs = ContextBuilder.newBuilder("transient").credentials(accessKey, secretKey).build(BlobStoreContext.class);
        blobs.getBlobStore().createContainerInLocation(null, args[0], CreateContainerOptions.NONE);
        S3Proxy proxy = S3Proxy.builder().blobStore(blobs.getBlobStore())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .endpoint(URI.create("http://127.0.0.1:0")).build();
        proxy.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!AbstractLifeCycle.STARTED.equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start within 60 s: " + proxy.getState());
            }
            Thread.sleep(5); // Jetty offers no start callback through S3Proxy
        }
        System.out.println("READY http://127.0.0.1:" + proxy.getPort());
        System.out.flush();
        ServerMains.awaitEndOfInput();
        proxy.stop();
        blobs.close();
        System.exit(0); // Jetty's threads are not daemons
    }
}
