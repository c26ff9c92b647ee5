package dev.cairn.storage.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import dev.cairn.storage.StorageRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code file://} promises beyond the storage contract: options, temporary files, publishing, URIs. */
class LocalStorageTest {
    @TempDir
    Path dir;

    private final LocalStorage storage = new LocalStorage();

    private static LocalStorage open(Map<String, String> options) {
        return new LocalStorageProvider().open("file", CairnOptions.of(options));
    }

    private static void put(Storage storage, URI file, String content) throws IOException {
        try (StorageOutput out = storage.create(file, false)) {
            out.write(content.getBytes(UTF_8));
            out.commit();
        }
    }

    private static String read(Storage storage, URI file) throws IOException {
        try (InputStream in = storage.open(file)) {
            return new String(in.readAllBytes(), UTF_8);
        }
    }

    private List<String> namesOnDisk() throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // ---------------------------------------------------------------- locations

    @Test
    void aLocationNoLocalStorageCanServeFailsWhereItIsSetNotInTheFirstAction() throws IOException {
        Path file = Files.writeString(dir.resolve("notes.txt"), "mine");
        Map<String, String> badToWhy = Map.of(
                "file://fileserver/share/ckpt", "found authority 'fileserver'",
                "file:ckpt", "found a relative URI",
                file.toUri().toString(), "found a regular file of 4 bytes");
        for (Map.Entry<String, String> bad : badToWhy.entrySet()) {
            CairnException e = assertThrows(CairnException.class,
                    () -> dev.cairn.CairnContext.builder().checkpointDir(bad.getKey()).build().close(), bad.getKey());
            assertTrue(e.getMessage().contains(bad.getValue()), e.getMessage());
            assertTrue(e.getMessage().contains("Cannot use location"), e.getMessage());
        }
        assertEquals("mine", Files.readString(file), "the file is left as it was");
        try (dev.cairn.CairnContext ctx = dev.cairn.CairnContext.builder().build()) {
            CairnException e = assertThrows(CairnException.class, () -> ctx.setCheckpointDir(file.toUri().toString()));
            assertTrue(e.getMessage().contains("expected a directory"), e.getMessage());
            assertEquals(dir.resolve("fresh").toUri().toString().replaceAll("/$", ""),
                    ctx.resolveLocation(dir.resolve("fresh").toString()).toString(), "a directory not made yet is fine");
        }
    }

    // ---------------------------------------------------------------- options

    @Test
    void defaultsAreFsyncOnStrongListingsAndRename() {
        LocalStorage s = open(Map.of());
        assertTrue(s.fsync());
        assertEquals(ListingConsistency.STRONG, s.listing());
    }

    @Test
    void fsyncOptionIsParsedAsABoolean() {
        assertFalse(open(Map.of(LocalStorageProvider.FSYNC, "false")).fsync());
        assertTrue(open(Map.of(LocalStorageProvider.FSYNC, " TRUE ")).fsync());
        CairnException e = assertThrows(CairnException.class, () -> open(Map.of(LocalStorageProvider.FSYNC, "sometimes")));
        assertTrue(e.getMessage().contains("cairn.local.fsync") && e.getMessage().contains("'sometimes'"), e.getMessage());
    }

    @Test
    void listingConsistencyOptionIsStrongOrEventual() {
        assertEquals(ListingConsistency.EVENTUAL,
                open(Map.of(LocalStorageProvider.LISTING_CONSISTENCY, "eventual")).listing());
        assertEquals(ListingConsistency.STRONG,
                open(Map.of(LocalStorageProvider.LISTING_CONSISTENCY, "Strong")).listing());
        CairnException e = assertThrows(CairnException.class,
                () -> open(Map.of(LocalStorageProvider.LISTING_CONSISTENCY, "lazy")));
        assertEquals("Cannot read option cairn.local.listing.consistency: 'lazy' (expected strong or eventual, found 'lazy';"
                + " use eventual for NFS, EFS or SMB mounts whose listings lag)", e.getMessage());
    }

    @Test
    void providerDeclaresItsOptionKeysAndIsFoundByScheme() {
        LocalStorageProvider provider = new LocalStorageProvider();
        assertEquals(Set.of("cairn.local.fsync", "cairn.local.listing.consistency"), provider.optionKeys());
        assertThrows(IllegalArgumentException.class, () -> provider.open("s3", CairnOptions.empty()));
        try (StorageRegistry registry = StorageRegistry.create(CairnOptions.empty(), List.of(), getClass().getClassLoader())) {
            assertInstanceOf(LocalStorage.class, registry.storageFor(dir.toUri()));
            assertTrue(registry.schemes().contains("file"), registry.schemes().toString());
        }
    }

    @Test
    void withoutFsyncFilesAreStillPublishedWhole() throws IOException {
        LocalStorage fast = open(Map.of(LocalStorageProvider.FSYNC, "false"));
        URI file = dir.resolve("new/sub/part-00000").toUri();
        put(fast, file, "no fsync");
        assertEquals("no fsync", read(fast, file));
    }

    // ---------------------------------------------------------------- temporary files

    @Test
    void aWriteInProgressLivesInOneHiddenTemporaryFileNextToTheTarget() throws IOException {
        URI file = dir.resolve("part-00000").toUri();
        try (StorageOutput out = storage.create(file, false)) {
            out.write("abc".getBytes(UTF_8));
            out.flush();

            List<String> names = namesOnDisk();
            assertEquals(1, names.size(), names.toString());
            String temp = names.get(0);
            assertTrue(temp.startsWith(".part-00000.") && temp.endsWith(".tmp"), temp);
            assertTrue(LocalStorage.isTemporaryName(temp), temp);
            assertEquals(3, Files.size(dir.resolve(temp)));

            out.commit();
        }
        assertEquals(List.of("part-00000"), namesOnDisk(), "the temporary file must be gone after the commit");
    }

    @Test
    void closeWithoutCommitAndAFailedCommitRemoveTheTemporaryFile() throws IOException {
        URI file = dir.resolve("part-00000").toUri();
        try (StorageOutput out = storage.create(file, false)) {
            out.write(1);
        }
        assertEquals(List.of(), namesOnDisk());

        try (StorageOutput out = storage.create(file, false)) {
            out.write("mine".getBytes(UTF_8));
            Files.writeString(dir.resolve("part-00000"), "someone else's"); // appears after create
            FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, out::commit);
            assertTrue(e.getMessage().startsWith("Cannot commit file: " + file + " (expected no file there, found one"),
                    e.getMessage());
        }
        assertEquals(List.of("part-00000"), namesOnDisk());
        assertEquals("someone else's", read(storage, file));
    }

    @Test
    void aTemporaryFileLeftByACrashIsNotTheFileAndDoesNotBlockItsCommit() throws IOException {
        Path crashed = dir.resolve(".part-00000.0123456789abcdef.tmp");
        Files.writeString(crashed, "half a partition from a dead process");
        URI file = dir.resolve("part-00000").toUri();

        assertThrows(NoSuchFileException.class, () -> storage.stat(file));
        assertThrows(NoSuchFileException.class, () -> storage.open(file));
        List<FileStatus> listing = storage.list(dir.toUri());
        assertEquals(List.of(".part-00000.0123456789abcdef.tmp"), listing.stream().map(FileStatus::name).toList(),
                "listed only under its hidden name");

        put(storage, file, "the real partition");
        assertEquals("the real partition", read(storage, file));
        assertTrue(Files.exists(crashed), "another writer's temporary file is not ours to remove");

        storage.delete(dir.toUri());
        assertFalse(Files.exists(dir), "a delete of the directory removes stray temporary files too");
    }

    @Test
    void temporaryNamesStayWithinFileNameLimitsForLongTargets() throws IOException {
        String longName = "ü".repeat(120); // 240 bytes in UTF-8: fine as a name, too long inside a temp name
        String temp = LocalStorage.temporaryName(longName);
        assertTrue(temp.getBytes(UTF_8).length <= 255, temp.getBytes(UTF_8).length + " bytes");
        assertTrue(LocalStorage.isTemporaryName(temp), temp);
        String emoji = LocalStorage.temporaryName("😀".repeat(60)); // never split a surrogate pair
        assertEquals(emoji, new String(emoji.getBytes(UTF_8), UTF_8));

        URI file = dir.resolve(longName).toUri();
        put(storage, file, "long");
        assertEquals("long", read(storage, file));
        assertFalse(LocalStorage.isTemporaryName("part-00000"));
        assertFalse(LocalStorage.isTemporaryName(".hidden"));
    }

    // ---------------------------------------------------------------- publishing

    @Test
    void theFallbackForFileSystemsWithoutHardLinksStillRefusesAnExistingTarget() throws IOException {
        Path temp = dir.resolve(".f.0000000000000000.tmp");
        Path target = dir.resolve("f");
        Files.writeString(temp, "new");
        Files.writeString(target, "old");

        assertThrows(FileAlreadyExistsException.class, () -> LocalStorage.moveWithoutReplacing(temp, target, target.toUri()));
        assertEquals("old", Files.readString(target));

        Files.delete(target);
        LocalStorage.moveWithoutReplacing(temp, target, target.toUri());
        assertEquals("new", Files.readString(target));
        assertFalse(Files.exists(temp));
    }

    @Test
    void aFileWhereADirectoryMustBeIsNotMistakenForAnExistingTarget() throws IOException {
        Files.writeString(dir.resolve("d"), "a file");
        URI file = dir.resolve("d/part-00000").toUri();
        FileSystemException e = assertThrows(FileSystemException.class, () -> storage.create(file, false));
        assertFalse(e instanceof FileAlreadyExistsException, "that would read as 'the part exists': " + e);
        assertTrue(e.getMessage().contains("expected a directory at " + dir.resolve("d") + ", found a file"), e.getMessage());
    }

    @Test
    void aDirectoryIsNotAFileToOpen() throws IOException {
        Files.createDirectory(dir.resolve("sub"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> storage.open(dir.resolve("sub").toUri()));
        assertTrue(e.getMessage().endsWith("(expected a file, found a directory)"), e.getMessage());
        FileStatus status = storage.stat(dir.resolve("sub").toUri());
        assertTrue(status.directory());
        assertFalse(status.location().toString().endsWith("/"), status.location().toString());
    }

    // ---------------------------------------------------------------- URIs

    @Test
    void unencodedNonAsciiUrisNameTheSameFileAsEncodedOnes() throws IOException, java.net.URISyntaxException {
        Path path = dir.resolve("dïr with space/fïle");
        put(storage, path.toUri(), "content");
        URI unencodedUnicode = new URI("file", null, path.toString(), null); // spaces quoted, ü left as is
        assertTrue(unencodedUnicode.toString().contains("ï"), unencodedUnicode.toString());
        assertEquals("content", read(storage, unencodedUnicode));
    }

    @Test
    void urisThatAreNotLocalPathsAreRejectedWithAHint() {
        IllegalArgumentException share = assertThrows(IllegalArgumentException.class,
                () -> storage.stat(URI.create("file://fileserver/share/ckpt")));
        assertTrue(share.getMessage().contains("found authority 'fileserver'; mount the share"), share.getMessage());
        assertThrows(IllegalArgumentException.class, () -> storage.stat(URI.create("s3://bucket/ckpt")));
        assertThrows(IllegalArgumentException.class, () -> storage.stat(URI.create("file:///tmp/x?query")));
    }

    @Test
    void missingFilesAreReportedInTheHouseForm() {
        URI missing = dir.resolve("missing").toUri();
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> storage.stat(missing));
        assertTrue(e.getMessage().startsWith("Cannot stat file: " + missing + " (expected a file or directory, found nothing"),
                e.getMessage());
        assertInstanceOf(NoSuchFileException.class, e.getCause());
    }

    @Test
    void aClosedStorageRefusesWork() throws IOException {
        LocalStorage closed = new LocalStorage();
        closed.close();
        IOException e = assertThrows(IOException.class, () -> closed.list(dir.toUri()));
        assertTrue(e.getMessage().contains("found it closed"), e.getMessage());
        assertArrayEquals(new String[0], dir.toFile().list());
    }
}
