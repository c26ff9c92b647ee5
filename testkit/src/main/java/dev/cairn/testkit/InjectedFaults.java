package dev.cairn.testkit;

import java.util.List;
import java.util.function.Predicate;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.options.GetOptions;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;
import org.jclouds.io.Payload;

/**
 * The outermost blob store of an {@link S3ProxyServer}: passes everything through, except the reads
 * and uploads a test chose to fail. A failure is an {@link IllegalStateException} inside the
 * server, which S3Proxy (2.6) answers with an error status, 400, instead of the object or the
 * write: a request the store refused.
 */
final class InjectedFaults extends ForwardingBlobStore {
    private volatile Predicate<String> failingReads = key -> false;
    private volatile UploadFailures uploads = new UploadFailures(key -> false, 0);

    InjectedFaults(BlobStore delegate) {
        super(delegate);
    }

    /** The store below, which no injected fault reaches. */
    BlobStore below() {
        return delegate();
    }

    void failReads(Predicate<String> keys) {
        failingReads = keys;
    }

    UploadFailures failUploads(Predicate<String> keys, int times) {
        UploadFailures f = new UploadFailures(keys, times);
        uploads = f;
        return f;
    }

    private void read(String name) {
        if (failingReads.test(name)) {
            throw new IllegalStateException("injected store failure reading " + name);
        }
    }

    @Override
    public Blob getBlob(String container, String name) {
        read(name);
        return super.getBlob(container, name);
    }

    @Override
    public Blob getBlob(String container, String name, GetOptions options) {
        read(name);
        return super.getBlob(container, name, options);
    }

    @Override
    public String putBlob(String container, Blob blob) {
        uploads.maybeFail("PUT", blob.getMetadata().getName());
        return super.putBlob(container, blob);
    }

    @Override
    public String putBlob(String container, Blob blob, PutOptions options) {
        uploads.maybeFail("PUT", blob.getMetadata().getName());
        return super.putBlob(container, blob, options);
    }

    @Override
    public MultipartPart uploadMultipartPart(MultipartUpload mpu, int partNumber, Payload payload) {
        uploads.maybeFail("UploadPart " + partNumber + " of", mpu.blobName());
        return super.uploadMultipartPart(mpu, partNumber, payload);
    }

    @Override
    public String completeMultipartUpload(MultipartUpload mpu, List<MultipartPart> parts) {
        uploads.maybeFail("CompleteMultipartUpload", mpu.blobName());
        return super.completeMultipartUpload(mpu, parts);
    }
}
