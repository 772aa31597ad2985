#!/usr/bin/env bash
# Makes the scenario server's class-data archive for the JDK that `java` runs (JAVA_HOME/PATH; --jdk DIR first
# to pick one): a training run of the real server under a short, bounded load (TrainingLoad: WebSocket clients
# connecting, joining a room, echoing with ack, a broadcast to the room, polling clients with an echo and the
# upgrade; CLIENTS=200 CYCLES=5 by default, about 10 s), then the archive written as the server exits:
#   JDK 25 and later: an AOT cache (-XX:AOTCacheOutput, JEP 514/515: classes loaded and linked, and method
#                     profiles), used with -XX:AOTCache=FILE;
#   JDK 13 to 24:     an AppCDS dynamic archive (-XX:ArchiveClassesAtExit), used with -XX:SharedArchiveFile=FILE.
# Into examples/target/cds/ (PARLEY_CDS_DIR), with the jar of the examples' classes (CDS archives classes from
# jars only) and the classpath it was made with. scripts/scenario-server.sh then uses it (PARLEY_CDS=auto,
# the default; off: not). A rebuild makes it stale: the server says so and runs without it; train again.
# JAVA_OPTS apply to the training run too (train with the heap and GC flags you run with). TRAIN_PORT (3999).
# docs/performance.md ("Cold start") says what it buys.
set -euo pipefail
if [ "${1:-}" = "--jdk" ]; then
  export JAVA_HOME="$2"
  export PATH="$2/bin:$PATH"
  shift 2
fi
. "$(dirname "$0")/build-if-needed.sh"
PARLEY_CDS=off . "$(dirname "$0")/cds-archive.sh"
feature=$(parley_java_feature)
archive=$(parley_cds_archive "$feature")
port="${TRAIN_PORT:-3999}"
mkdir -p "$PARLEY_CDS_DIR"
rm -f "$archive"
# the jar is remade only when the classes changed: an archive checks the jars' times, so remaking it would
# make the other JDKs' archives stale
examples_jar="$PARLEY_CDS_DIR/parley-examples.jar"
if [ ! -f "$examples_jar" ] || [ -n "$(find "$ROOT/examples/target/classes" -newer "$examples_jar" -type f -print -quit)" ]; then
  rm -f "$examples_jar"
  "$(dirname "$(readlink -f "$(command -v java)")")/jar" --create --file "$examples_jar" -C "$ROOT/examples/target/classes" .
fi
# an explicit, sorted classpath (a wildcard's order is the directory's), the same at run time
cp="$PARLEY_CDS_DIR/parley-examples.jar:$(find "$ROOT/examples/target/lib" -name '*.jar' | LC_ALL=C sort | paste -sd:)"
echo "$cp" >"$PARLEY_CDS_DIR/classpath"
if [ "$feature" -ge 25 ]; then
  record=("-XX:AOTCacheOutput=$archive")
else
  record=("-XX:ArchiveClassesAtExit=$archive")
fi
echo "train-cds: JDK $feature, training run on port $port -> $archive" >&2
PORT="$port" java "${record[@]}" ${JAVA_OPTS:-} -cp "$cp" dev.parley.examples.scenario.ScenarioServer &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    break
  fi
  sleep 0.1
done
PORT="$port" java -cp "$PARLEY_CP" dev.parley.examples.scenario.TrainingLoad
kill -TERM "$server"
wait "$server" || true # the archive is written as the JVM exits (143: ended by SIGTERM)
trap - EXIT
if [ ! -s "$archive" ]; then
  echo "train-cds: no archive was written; see the output above" >&2
  exit 1
fi
echo "train-cds: wrote $archive ($(du -h "$archive" | cut -f1)); scripts/scenario-server.sh uses it (PARLEY_CDS=off: not)" >&2
