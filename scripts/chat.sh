#!/usr/bin/env bash
# Runs the example chat in the foreground: http://localhost:${PORT:-3000} (docs/chat.md).
# Builds Parley first if nothing is built and installs the page's browser client from npm.
# Settings (environment): PORT, HOST, CHAT_DB (default examples/target/chat-db), CHAT_JWT_SECRET,
# ADAPTER=redis with REDIS_URL for two or more nodes. JAVA_OPTS is passed to the JVM, after
# -XX:+ExitOnOutOfMemoryError (a JVM out of memory exits instead of lingering half-dead).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f "$ROOT/examples/chat-web/node_modules/socket.io-client/dist/socket.io.min.js" ]; then
  (cd "$ROOT/examples/chat-web" && npm ci --silent --no-audit --no-fund) >&2
fi
# a build from before the chat had its database (H2) or its password hashes (Bouncy Castle) is rebuilt
if ! compgen -G "$ROOT/examples/target/lib/h2-*.jar" >/dev/null \
    || ! compgen -G "$ROOT/examples/target/lib/bcprov-*.jar" >/dev/null; then
  rm -rf "$ROOT/examples/target/lib"
fi
. "$ROOT/scripts/build-if-needed.sh"
export CHAT_DB="${CHAT_DB:-$ROOT/examples/target/chat-db}"
exec java -XX:+ExitOnOutOfMemoryError ${JAVA_OPTS:-} -Dchat.web="$ROOT/examples/chat-web" -cp "$PARLEY_CP" dev.parley.examples.chat.ChatServer
