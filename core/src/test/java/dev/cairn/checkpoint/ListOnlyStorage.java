package dev.cairn.checkpoint;

import dev.cairn.storage.FileStatus;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;

/**
 * A test store that only lists: the listing-wait tests give it the listings to answer and check
 * what was asked; any read, write, stat or delete is a test failure, reported as an IOException.
 */
abstract class ListOnlyStorage implements Storage {
    @Override
    public InputStream open(URI file) throws IOException {
        throw new IOException("not read here: " + file);
    }

    @Override
    public StorageOutput create(URI file, boolean overwrite) throws IOException {
        throw new IOException("not written here: " + file);
    }

    @Override
    public FileStatus stat(URI file) throws IOException {
        throw new IOException("not asked here: " + file);
    }

    @Override
    public void delete(URI fileOrDirectory) throws IOException {
        throw new IOException("not deleted here: " + fileOrDirectory);
    }
}
