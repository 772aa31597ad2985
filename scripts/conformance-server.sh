#!/usr/bin/env bash
# Starts the fixture server for an official conformance suite, in the foreground, on $PORT (3000).
#   scripts/conformance-server.sh engine.io
set -euo pipefail
SUITE=${1:-engine.io}
. "$(dirname "$0")/build-if-needed.sh"
exec java -cp "$PARLEY_CP" dev.parley.examples.conformance.ConformanceServer "$SUITE"
