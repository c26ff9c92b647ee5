package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.KnownOptions;
import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.checkpoint.CheckpointOptions;
import dev.cairn.config.CairnOptions;
import dev.cairn.storage.StorageRegistry;
import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * What one command runs with: the options, the storage registry (every provider on the class
 * path), the class loader for record classes ({@code --classpath}), and the parsing of location
 * arguments. Problems with any of these are usage errors (exit 2), reported before the command
 * touches a store.
 */
final class Environment implements AutoCloseable {
    /**
     * The listing wait the command line uses unless {@code -o cairn.checkpoint.listing.timeout}
     * says otherwise: a person is waiting, and the command looks at what is there now (60 s, the
     * library's default, suits a job reloading a checkpoint it has just written).
     */
    static final String DEFAULT_LISTING_TIMEOUT = "5s";

    private final CommandLine cli;
    private final CairnOptions options;
    private final StorageRegistry storage;
    private final ClassLoader loader;
    private final URLClassLoader ownLoader;

    private Environment(CommandLine cli, CairnOptions options, StorageRegistry storage, ClassLoader loader, URLClassLoader ownLoader) {
        this.cli = cli;
        this.options = options;
        this.storage = storage;
        this.loader = loader;
        this.ownLoader = ownLoader;
    }

    /**
     * Checks the options and opens the storage registry.
     *
     * @param classpath jars and directories holding record classes (and, if need be, further storage providers)
     * @throws ParameterException for an unknown key, a bad value or a classpath entry that does not exist
     */
    static Environment open(CommandLine cli, Map<String, String> userOptions, List<String> classpath) {
        URLClassLoader own = classLoader(cli, classpath);
        ClassLoader loader = own != null ? own : Environment.class.getClassLoader();
        KnownOptions keys = KnownOptions.discover(loader, CairnOptions.of(userOptions));
        for (String key : userOptions.keySet()) {
            Optional<String> problem = key.startsWith("cairn.") ? keys.problem(key).map(p -> "U" + p.substring(1))
                    : Optional.of("Unknown option '" + key + "' (expected a cairn.* key such as cairn.s3.endpoint, found '" + key
                            + "'; Hadoop settings go as cairn.hadoop.<key>)");
            if (problem.isPresent()) {
                closeQuietly(own);
                throw new ParameterException(cli, problem.get());
            }
        }
        Map<String, String> merged = new LinkedHashMap<>();
        merged.put(CheckpointOptions.LISTING_TIMEOUT, DEFAULT_LISTING_TIMEOUT);
        merged.putAll(userOptions);
        CairnOptions options = CairnOptions.of(merged);
        try {
            CheckpointOptions.validate(options);
            StorageRegistry registry = StorageRegistry.create(options, List.of(), loader);
            return new Environment(cli, options, registry, loader, own);
        } catch (CairnException e) {
            closeQuietly(own);
            throw new ParameterException(cli, e.getMessage(), e, null, null);
        }
    }

    private static URLClassLoader classLoader(CommandLine cli, List<String> classpath) {
        List<URL> urls = new ArrayList<>();
        for (String entry : classpath) {
            for (String part : entry.split(File.pathSeparator)) {
                if (part.isBlank()) {
                    continue;
                }
                Path p = Path.of(part).toAbsolutePath();
                if (!Files.exists(p)) {
                    throw new ParameterException(cli, "Cannot use --classpath entry " + part + " (expected a jar or a directory of"
                            + " classes, found nothing at " + p + ")");
                }
                try {
                    urls.add(p.toUri().toURL());
                } catch (MalformedURLException e) {
                    throw new ParameterException(cli, "Cannot use --classpath entry " + part + " (" + e.getMessage() + ")");
                }
            }
        }
        return urls.isEmpty() ? null : new URLClassLoader("cairn-classpath", urls.toArray(URL[]::new), Environment.class.getClassLoader());
    }

    /** The options: the user's, over the command line's defaults. */
    CairnOptions options() {
        return options;
    }

    /** The storage backends. */
    StorageRegistry storage() {
        return storage;
    }

    /** Loads record classes: the command line's own, then {@code --classpath}. */
    ClassLoader classLoader() {
        return loader;
    }

    /**
     * The location an argument names, in canonical form: a URI with a scheme a provider serves,
     * or a local path (made absolute, as {@code file://}). The store is opened once here, so an
     * option value it refuses is a usage error too.
     *
     * @throws ParameterException for a malformed URI, an unknown scheme, a missing authority or a bad option value
     */
    URI location(String argument) {
        URI uri = parse(argument);
        String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!storage.schemes().contains(scheme)) {
            throw new ParameterException(cli, "Unknown URI scheme '" + scheme + "' in " + argument + " (expected one of "
                    + storage.schemes() + ", found '" + scheme + "'; a local path needs no scheme)");
        }
        if (!scheme.equals("file") && uri.getRawAuthority() == null) {
            throw new ParameterException(cli, "Cannot use location " + argument + " (expected " + scheme
                    + "://<bucket or host>/<path>, found no authority; did you forget a slash?)");
        }
        URI location = CheckpointLayout.normalize(uri);
        try {
            storage.storageFor(location);
        } catch (CairnException e) {
            if (causedByIo(e)) {
                throw e; // the store could not be reached: not the user's typing
            }
            throw new ParameterException(cli, e.getMessage(), e, null, argument);
        }
        return location;
    }

    private URI parse(String argument) {
        if (argument.matches("[A-Za-z][A-Za-z0-9+.-]*:.*") && !argument.matches("[A-Za-z]:[\\\\/].*")) {
            try {
                return new URI(argument);
            } catch (URISyntaxException e) {
                throw new ParameterException(cli, "Cannot use location " + argument + " (expected a URI such as s3://bucket/path, found "
                        + e.getMessage() + "; characters such as spaces must be percent-encoded)");
            }
        }
        try {
            return Path.of(argument).toAbsolutePath().normalize().toUri();
        } catch (InvalidPathException e) {
            throw new ParameterException(cli, "Cannot use location " + argument + " (expected a URI or a local path, found "
                    + e.getMessage() + ")");
        }
    }

    private static boolean causedByIo(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof java.io.UncheckedIOException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        try {
            storage.close();
        } catch (RuntimeException e) {
            // the command's result is out; a failing close of a client adds nothing for the user
        } finally {
            closeQuietly(ownLoader);
        }
    }

    private static void closeQuietly(URLClassLoader loader) {
        if (loader != null) {
            try {
                loader.close();
            } catch (IOException e) {
                // nothing was read through it that still matters
            }
        }
    }
}
