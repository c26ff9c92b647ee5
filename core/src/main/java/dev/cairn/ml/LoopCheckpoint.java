package dev.cairn.ml;

import dev.cairn.CairnContext;
import dev.cairn.CairnException;
import dev.cairn.Dataset;
import dev.cairn.KeyedDataset;
import java.net.URI;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One committed checkpoint of a {@link ResumableLoop}: the state after an iteration, as one
 * checkpoint directory per named dataset of the state, plus the metadata the run was started
 * with. A {@link ResumableLoop.StateCodec} rebuilds the state from it with
 * {@link #dataset(String)} or {@link #keyedDataset(String)}.
 */
public final class LoopCheckpoint {
    private final CairnContext context;
    private final URI runDirectory;
    private final int iteration;
    private final String contextId;
    private final Map<String, URI> locations;
    private final Map<String, String> metadata;
    private final Instant createdAt;

    LoopCheckpoint(CairnContext context, URI runDirectory, int iteration, String contextId, Map<String, URI> locations,
                   Map<String, String> metadata, Instant createdAt) {
        this.context = context;
        this.runDirectory = runDirectory;
        this.iteration = iteration;
        this.contextId = contextId;
        this.locations = Collections.unmodifiableMap(new LinkedHashMap<>(locations));
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        this.createdAt = createdAt;
    }

    /** The iteration whose resulting state this is (the first iteration is 1). */
    public int iteration() {
        return iteration;
    }

    /** The run directory it is in. */
    public URI runDirectory() {
        return runDirectory;
    }

    /** The id of the context (process) that wrote it. */
    public String contextId() {
        return contextId;
    }

    /** The checkpoint directory of each dataset of the state, by name, in the order the codec named them. */
    public Map<String, URI> locations() {
        return locations;
    }

    /** The metadata the run was started with (without the loop's own {@code cairn.loop.*} entries). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** When the last of its manifests was written. */
    public Instant createdAt() {
        return createdAt;
    }

    /**
     * Opens the dataset of the state named {@code name}, as {@link CairnContext#readCheckpoint}
     * does (the parts are verified as they are read).
     *
     * @throws CairnException when the state has no dataset of that name
     */
    public <T> Dataset<T> dataset(String name) {
        return context.readCheckpoint(location(name));
    }

    /**
     * Opens the keyed dataset of the state named {@code name}, with the partitioner it was
     * written with, so joins against datasets partitioned the same way stay narrow.
     *
     * @throws CairnException when the state has no dataset of that name
     */
    public <K, V> KeyedDataset<K, V> keyedDataset(String name) {
        return context.readKeyedCheckpoint(location(name));
    }

    private URI location(String name) {
        URI location = locations.get(name);
        if (location == null) {
            throw new CairnException("Cannot restore dataset '" + name + "' of iteration " + iteration + ": " + runDirectory
                    + " (expected one of " + locations.keySet() + ", found no such name; the codec must use the names it checkpointed)");
        }
        return location;
    }

    @Override
    public String toString() {
        return "LoopCheckpoint[iteration " + iteration + ", " + locations + "]";
    }
}
