#!/usr/bin/env bash
# The long fuzzing run of core's format fuzz tests (docs/reliability.md, "Fuzzing"): each target of
# FormatFuzzTest in its own JVM (Jazzer fuzzes one @FuzzTest per JVM), for the inputs its
# @FuzzTest(maxExecutions) allows, with profile "fuzz" (256 MiB heap, per-input timeout, keep going
# after findings). Findings land in core/src/test/resources/dev/cairn/checkpoint/FormatFuzzTestInputs/<target>/crash-*,
# where the default suite replays them: move them to FormatFuzzFindings/ with a disabled test, or fix the bug.
#
#   core/src/test/fuzz/run-fuzzers.sh                 # every target
#   core/src/test/fuzz/run-fuzzers.sh part manifest   # some
set -u
root="$(cd "$(dirname "$0")/../../.." && cd .. && pwd)"
cd "$root"
targets="${*:-manifest partitioner part recordStream compressedStream}"
status=0
for t in $targets; do
  log="core/target/fuzz-$t.log"
  mkdir -p core/target
  start=$(date +%s)
  mvn -B -q -pl core -Pfuzz test -Dtest="FormatFuzzTest#$t" -Dsurefire.failIfNoSpecifiedTests=false > "$log" 2>&1
  build=$?
  done_line=$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$log" | tail -1)
  # With keep_going the build passes even after findings: count them in the log instead.
  findings=$(grep -c '^DEDUP_TOKEN' "$log")
  if [ "$findings" -eq 0 ] && [ "$build" -eq 0 ]; then
    verdict=clean
  else
    verdict=FINDINGS
    status=1
  fi
  echo "$t: $verdict ($findings distinct findings); ${done_line:-no libFuzzer summary}; $(( $(date +%s) - start )) s with the build (log: $log)"
done
exit $status
