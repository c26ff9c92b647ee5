package dev.cairn;

import dev.cairn.storage.FileStatus;
import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;

/**
 * A test store that passes every call to another: tests override the one call they hold back,
 * fail or watch (a gated delete, a failing manifest commit) and keep the rest of the real store.
 */
public class ForwardingStorage implements Storage {
    private final Storage delegate;

    public ForwardingStorage(Storage delegate) {
        this.delegate = delegate;
    }

    @Override
    public ListingConsistency listing() {
        return delegate.listing();
    }

    @Override
    public boolean readsBackFromWriterCache() {
        return delegate.readsBackFromWriterCache();
    }

    @Override
    public InputStream open(URI file) throws IOException {
        return delegate.open(file);
    }

    @Override
    public StorageOutput create(URI file, boolean overwrite) throws IOException {
        return delegate.create(file, overwrite);
    }

    @Override
    public FileStatus stat(URI file) throws IOException {
        return delegate.stat(file);
    }

    @Override
    public List<FileStatus> list(URI directory) throws IOException {
        return delegate.list(directory);
    }

    @Override
    public List<FileStatus> listRange(URI directory, String startAfter, String through) throws IOException {
        return delegate.listRange(directory, startAfter, through);
    }

    @Override
    public void delete(URI fileOrDirectory) throws IOException {
        delegate.delete(fileOrDirectory);
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
