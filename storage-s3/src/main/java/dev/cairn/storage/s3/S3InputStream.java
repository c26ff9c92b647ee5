package dev.cairn.storage.s3;

import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * The body of one GET, resumed where it broke off. The SDK retries a request only until its
 * response starts; a connection that drops halfway through a large part would otherwise fail the
 * whole read. On a read error this stream asks again from the current position
 * ({@code Range: bytes=pos-}) and only for the same object version ({@code If-Match: etag}), up
 * to the configured attempts. A changed object fails instead of splicing two versions together.
 *
 * <p>Closing before the end aborts the connection rather than draining the rest of the body.
 * Not thread-safe.
 */
final class S3InputStream extends InputStream {
    private static final Logger LOG = LoggerFactory.getLogger(S3InputStream.class);

    private final S3Storage storage;
    private final S3Location location;
    private final String eTag;
    private final long length;
    private ResponseInputStream<GetObjectResponse> body;
    private long position;
    private int resumes;
    private boolean closed;

    S3InputStream(S3Storage storage, S3Location location, ResponseInputStream<GetObjectResponse> body) {
        this.storage = storage;
        this.location = location;
        this.body = body;
        this.eTag = body.response().eTag();
        Long len = body.response().contentLength();
        this.length = len == null ? -1 : len;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("Cannot read " + location + " (expected an open stream, found it closed)");
        }
        if (len == 0) {
            return 0;
        }
        while (true) {
            try {
                int n = body.read(b, off, len);
                if (n > 0) {
                    position += n;
                } else if (n < 0 && length >= 0 && position < length) {
                    // A body that ends early is a dropped connection, not the end of the object.
                    throw new IOException("premature end of body at byte " + position + " of " + length);
                }
                return n;
            } catch (IOException e) {
                resume(e);
            }
        }
    }

    private void resume(IOException failure) throws IOException {
        if (resumes + 1 >= storage.settings().maxAttempts() || eTag == null) {
            throw new IOException("Cannot read " + location + ": " + location.describe() + " (expected " + length
                    + " bytes, found the connection broken at byte " + position + " after " + (resumes + 1) + " attempts: " + failure
                    + "; raise " + S3StorageSettings.MAX_ATTEMPTS + " if the network is flaky)", failure);
        }
        resumes++;
        LOG.debug("Resuming read of {} at byte {} after {}", location, position, failure.toString());
        body.abort();
        GetObjectRequest request = GetObjectRequest.builder().bucket(location.bucket()).key(location.key())
                .range("bytes=" + position + "-").ifMatch(eTag).build();
        try {
            body = storage.call("GetObject", c -> c.getObject(request));
        } catch (SdkException e) {
            IOException io;
            if (S3Errors.status(e) == 412) {
                io = new IOException("Cannot read " + location + ": " + location.describe() + " (expected the object with ETag " + eTag
                        + " to resume at byte " + position + ", found it replaced by another writer; read it again from the start)", e);
            } else {
                io = S3Errors.translate("read", location, "the rest of the object from byte " + position + " with ETag " + eTag, e);
            }
            io.addSuppressed(failure);
            throw io;
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (length >= 0 && position >= length) {
                try {
                    body.close(); // fully read: the connection goes back to the pool
                } catch (IOException e) {
                    body.abort();
                }
            } else {
                body.abort(); // draining an unread rest would download it for nothing
            }
        }
    }
}
