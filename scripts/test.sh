#!/usr/bin/env bash
# Runs every test of the project: unit tests, and integration tests against a real Jetty on loopback
# with the official clients (installed from npm by the build itself). Needs JDK 17+, Maven, Node.js/npm.
set -euo pipefail
cd "$(dirname "$0")/.."
# Redis on 127.0.0.1:6379 is used by the cluster tests; start it when it is installed and down.
if command -v redis-server >/dev/null 2>&1 && ! (echo > /dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
fi
exec mvn -B -ntp verify "$@"
