#!/usr/bin/env bash
# Runs every test of the project: unit tests, and integration tests against a real Jetty on loopback
# with the official clients (installed from npm by the build itself), then builds and runs the guide's
# getting-started project against the published artifacts. Needs JDK 17+, Maven, Node.js/npm.
set -euo pipefail
cd "$(dirname "$0")/.."
# Redis on 127.0.0.1:6379 is used by the cluster tests: install it (Debian, as root) when missing,
# start it when it is down.
if ! (echo > /dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  if ! command -v redis-server >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >/dev/null
  fi
  if command -v redis-server >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    for i in $(seq 1 50); do (echo > /dev/tcp/127.0.0.1/6379) 2>/dev/null && break; sleep 0.1; done
  else
    echo "warning: no Redis on 127.0.0.1:6379 and none could be installed; the Redis tests will fail" >&2
  fi
fi
# The chat's browser test drives Debian's Chromium; install it (as root) when missing.
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing Debian's chromium for the browser test..." >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
fi
# A test reads a listening socket's backlog with ss (iproute2); install it (as root) when missing.
if ! command -v ss >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2) >/dev/null
fi
mvn -B -ntp verify "$@"
# The Jetty matrix's other leg: with no arguments (the README's command, and CI), a focused set of
# integration tests runs again on the oldest Jetty Parley supports (jetty.oldest.supported in pom.xml),
# with Parley still compiled against its default Jetty, as an application with an older jetty-bom has it.
# Both WebSocket paths, the official JS client over polling, WebSocket and the upgrade, and a check that
# every transport-jetty class links against that Jetty, and an application module on the module path.
# PARLEY_JETTY_OLDEST=0 skips it.
if [ "$#" -eq 0 ] && [ "${PARLEY_JETTY_OLDEST:-1}" != 0 ]; then
  echo "--- the same on the oldest supported Jetty (-Pjetty-oldest) ---" >&2
  mvn -B -ntp verify -Pjetty-oldest -pl integration-tests -am -Dsurefire.failIfNoSpecifiedTests=false \
    -Dtest='JettyLinkageTest,WebSocketPathsTest,NodeClientEngineTest,WebSocketTest,WebSocketFrameTest,PollingHttpTest,EmbeddedMountTest,HostileInputTest,ModulePathTest,ModuleLayerCheckTest'
fi
# A new project made of the guide's pom.xml and first server, built against the published artifacts.
scripts/check-guide-project.sh
