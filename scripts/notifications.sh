#!/usr/bin/env bash
# Runs the Spring Boot example (examples-spring-boot, docs/spring-boot.md) in the foreground on
# http://localhost:${PORT:-8080}: Socket.IO at /socket.io/, POST /notify/{user}, /actuator/health and
# /actuator/prometheus on that one port. Builds it first if nothing is built (`package`, never
# `install`: it runs from examples-spring-boot/target/classes plus the jars copied to target/lib).
# Other Boot settings go in JAVA_OPTS (-Dparley.ping-interval=10s) or as arguments (--server.port=9000).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODULE="$ROOT/examples-spring-boot"
if [ ! -d "$MODULE/target/classes/dev" ] || [ ! -d "$MODULE/target/lib" ]; then
  echo "building Parley and the Spring Boot example (first run; takes a minute or two)..." >&2
  (cd "$ROOT" && mvn -q -B -DskipTests package -pl examples-spring-boot -am) >&2
fi
exec java -XX:+ExitOnOutOfMemoryError ${JAVA_OPTS:-} -cp "$MODULE/target/classes:$MODULE/target/lib/*" \
  dev.parley.examples.spring.NotificationsApplication --server.port="${PORT:-8080}" "$@"
