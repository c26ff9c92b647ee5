package dev.cairn.storage;

/** Whether a listing shows every committed file at once. */
public enum ListingConsistency {
    /** A listing taken after a commit returns shows the committed file with its final size. */
    STRONG,
    /** Listings may lag behind commits; readers must poll until what they expect is visible. */
    EVENTUAL
}
