package dev.cairn.cli;

import java.io.Serializable;

/** A record class of the tests' own: not on the command line's class path unless --classpath adds it. */
public record Reading(String sensor, double value) implements Serializable {
}
