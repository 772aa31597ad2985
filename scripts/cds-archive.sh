#!/usr/bin/env bash
# Sourced by scripts/scenario-server.sh (after build-if-needed.sh): finds the class-data archive that
# scripts/train-cds.sh made for the JDK that `java` runs, and when it is there and not older than the build,
# sets PARLEY_CDS_OPTS (the JVM flags that use it) and PARLEY_CP (the classpath it was made with: CDS maps a
# class only when the classpath matches the training run's). PARLEY_CDS=off: never; PARLEY_CDS=auto (default):
# when present; PARLEY_CDS=require: fail when absent or stale. Also defines parley_java_feature (the JDK's
# feature version, read from its `release` file: no JVM started for it).
PARLEY_CDS_DIR="${PARLEY_CDS_DIR:-$ROOT/examples/target/cds}"
PARLEY_CDS_OPTS=()

parley_java_feature() {
  local java release
  java=$(readlink -f "$(command -v java)")
  release="$(dirname "$(dirname "$java")")/release"
  if [ -f "$release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
  else
    java -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p'
  fi
}

# the archive of JDK feature $1: the AOT cache from JDK 25 on, an AppCDS dynamic archive before
parley_cds_archive() {
  if [ "$1" -ge 25 ]; then
    echo "$PARLEY_CDS_DIR/scenario-server-jdk$1.aot"
  else
    echo "$PARLEY_CDS_DIR/scenario-server-jdk$1.jsa"
  fi
}

if [ "${PARLEY_CDS:-auto}" != off ]; then
  parley_feature=$(parley_java_feature)
  parley_archive=$(parley_cds_archive "$parley_feature")
  parley_cds_why=""
  if [ ! -f "$parley_archive" ] || [ ! -f "$PARLEY_CDS_DIR/classpath" ]; then
    parley_cds_why="no archive for JDK $parley_feature (make one with scripts/train-cds.sh)"
  elif [ -n "$(find "$ROOT/examples/target/classes" "$ROOT/examples/target/lib" -newer "$parley_archive" -type f -print -quit)" ]; then
    parley_cds_why="$parley_archive is older than the build: rerun scripts/train-cds.sh"
  fi
  if [ -z "$parley_cds_why" ]; then
    PARLEY_CP=$(cat "$PARLEY_CDS_DIR/classpath")
    if [ "$parley_feature" -ge 25 ]; then
      PARLEY_CDS_OPTS=("-XX:AOTCache=$parley_archive")
    else
      PARLEY_CDS_OPTS=("-XX:SharedArchiveFile=$parley_archive")
    fi
    echo "scenario server: class-data archive $parley_archive" >&2
  elif [ "${PARLEY_CDS:-auto}" = require ]; then
    echo "scenario server: PARLEY_CDS=require: $parley_cds_why" >&2
    exit 2
  elif [ -f "$parley_archive" ]; then
    echo "scenario server: $parley_cds_why; running without it" >&2
  fi
fi
