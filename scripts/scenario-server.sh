#!/usr/bin/env bash
# Runs the scenario server (benchmarks, cluster tests) in the foreground on $PORT (3000).
# ADAPTER=memory (default), redis, redis-streams or redis-sharded (with REDIS_URL: for redis-sharded one URI or a
# comma-separated list of Redis Cluster seeds; STREAM_NAME; SUBSCRIPTION_MODE; CHANNEL_PREFIX, the channel prefix of
# redis-sharded and the channel key of redis, default socket.io); RECOVERY=on or off (default);
# HOST to listen on one address only (default: every interface); OBSERVER=counting or deliveries registers a
# ServerObserver (CountingObserver), off by default: what observing costs, for benchmarks; METRICS=on binds
# the Micrometer binder (ParleyMetrics) to a SimpleMeterRegistry: what metrics cost.
# ADMIN_UI=on or readonly instruments it for the Socket.IO admin UI (namespace /admin, development mode;
# ADMIN_UI=production: statistics only, for the benchmark), with
# basic auth from ADMIN_UI_AUTH="user:<bcrypt hash>" (no auth when unset); off by default (docs/admin-ui.md).
# ACCEPT_QUEUE sets the listen backlog (ParleyJetty.Options.acceptQueueSize, default 511).
# The WebSocket path: JAVA_OPTS=-Dparley.websocket.path=public|fast|auto (default auto).
# Class-data archive: PARLEY_CDS=auto (default) starts with the archive scripts/train-cds.sh made for this
# JDK (AppCDS on JDK 17, the AOT cache on JDK 25) when there is one and it is not older than the build;
# PARLEY_CDS=off never; PARLEY_CDS=require fails without one (scripts/cds-archive.sh; docs/performance.md, "Cold start").
# Builds first if nothing is built; the java process replaces this shell, so its PID is the server's.
# -XX:+ExitOnOutOfMemoryError: a JVM out of memory exits (for a supervisor to restart) instead of
# lingering half-dead; JAVA_OPTS comes after it, so -XX:-ExitOnOutOfMemoryError there turns it off.
set -euo pipefail
. "$(dirname "$0")/build-if-needed.sh"
. "$(dirname "$0")/cds-archive.sh"
exec java -XX:+ExitOnOutOfMemoryError ${PARLEY_CDS_OPTS[@]+"${PARLEY_CDS_OPTS[@]}"} ${JAVA_OPTS:-} -cp "$PARLEY_CP" dev.parley.examples.scenario.ScenarioServer
