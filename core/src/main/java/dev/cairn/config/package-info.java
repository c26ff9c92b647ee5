/**
 * Configuration: {@link dev.cairn.config.CairnOptions}, the immutable string-keyed options every
 * layer of Cairn reads (engine, checkpoint format, serializers, storage backends), with typed,
 * validating getters. The bottom of the layering: it depends on nothing of Cairn but the
 * exception types.
 */
package dev.cairn.config;
