#!/bin/sh
# cairn: Cairn's command line for checkpoints (ls, inspect, verify, gc, cat). This file is this
# short script followed by a jar; java reads a jar from the end of a file, so it runs this file
# as its own jar. Needs only java 17 or newer: $JAVA_HOME/bin/java if JAVA_HOME is set, else java
# on the PATH. JVM flags go in CAIRN_JAVA_OPTS, e.g. CAIRN_JAVA_OPTS=-Xmx4g.
if [ -n "$JAVA_HOME" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  java_cmd="$JAVA_HOME/bin/java"
else
  java_cmd=java
fi
# shellcheck disable=SC2086 # CAIRN_JAVA_OPTS is a list of flags
exec "$java_cmd" $CAIRN_JAVA_OPTS -jar "$0" "$@"
