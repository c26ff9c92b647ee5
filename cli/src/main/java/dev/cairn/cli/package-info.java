/**
 * The {@code cairn} command line ({@link dev.cairn.cli.CairnCli}): {@code ls}, {@code inspect},
 * {@code verify}, {@code gc} and {@code cat} for checkpoints on every store Cairn serves, built on
 * core's format API ({@code dev.cairn.checkpoint}) and the storage registry. Commands, options,
 * output and exit codes are public API, documented in {@code docs/cli.md}.
 */
package dev.cairn.cli;
