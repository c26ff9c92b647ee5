package dev.cairn.storage;

import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import java.util.Locale;

/** Whether a listing shows every committed file at once. */
public enum ListingConsistency {
    /** A listing taken after a commit returns shows the committed file with its final size. */
    STRONG,
    /** Listings may lag behind commits; readers must poll until what they expect is visible. */
    EVENTUAL;

    /**
     * The value of a backend's listing option: {@code strong} or {@code eventual}, any case.
     *
     * @param hint which to choose when, for the error message
     * @throws CairnException naming the key, the value and the values expected
     */
    public static ListingConsistency fromOption(CairnOptions options, String key, ListingConsistency defaultValue, String hint) {
        String value = options.get(key).orElse(null);
        if (value == null) {
            return defaultValue;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "strong":
                return STRONG;
            case "eventual":
                return EVENTUAL;
            default:
                throw new CairnException("Cannot read option " + key + ": '" + value + "' (expected strong or eventual, found '" + value
                        + "'; " + hint + ")");
        }
    }
}
