#!/usr/bin/env bash
# Builds the examples module (and what it depends on) unless a build is already there.
# Sourced by the run scripts; prints the classpath of the examples into $PARLEY_CP.
# `package`, not `install`: the examples run from examples/target/classes and the jars the build copies
# into examples/target/lib (Parley's own from the reactor), so nothing goes into ~/.m2, where it would
# replace a developer's installed snapshots.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# a build from before the examples used the Micrometer binder (the scenario server's METRICS=on) is redone
if [ -d "$ROOT/examples/target/lib" ] && ! compgen -G "$ROOT/examples/target/lib/micrometer-core-*.jar" >/dev/null; then
  rm -rf "$ROOT/examples/target/lib"
fi
if [ ! -d "$ROOT/examples/target/classes/dev" ] || [ ! -d "$ROOT/examples/target/lib" ]; then
  echo "building Parley (first run; takes a minute)..." >&2
  (cd "$ROOT" && mvn -q -B -DskipTests package -pl examples -am) >&2
fi
PARLEY_CP="$ROOT/examples/target/classes:$ROOT/examples/target/lib/*"
export PARLEY_CP
