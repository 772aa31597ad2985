#!/usr/bin/env bash
# The side-by-side benchmark: Parley's scenario server, Node socket.io 4.8.4 and netty-socketio 2.0.14,
# driven by the Java load generator in the benchmarks module, rounds interleaved; writes
# docs/BENCHMARKS.md and docs/benchmarks.png. Never part of `mvn verify`; run it explicitly:
#
#   scripts/bench.sh            # the full run (issue 6 sizes; takes a long while)
#   scripts/bench.sh --quick    # small sizes, a few minutes: checks the harness end to end
#
# Further options (after or instead of --quick): --rounds N, --servers parley,node,netty,floor (the wire floor, FloorServer),
# --idle 5000,19900, --fanout 1000,5000, --rates 5,50, --echo 100,1000, --rooms 5000:500:10 (clients:rooms:senders), --seconds S, --warmup S,
# polling-only clients (HTTP long-polling, never upgraded): --polling-echo 100 (echo clients), --polling-fanout 1000
# (clients in one room, broadcaster on WebSocket), --polling-rates 5 (its fixed rates), --polling-seconds 5 (per polling
# scenario); --quick uses 20, 100, 5 and 3; an empty list ('') skips that scenario,
# the cluster scenario (several server processes on a Redis adapter, clients spread over them, all in one room,
# one broadcaster on the first node at fixed rates; server CPU summed over the nodes, Redis CPU in its own row;
# Parley's scenario server and the Node peer only): --cluster 1000 (clients; '' skips both kinds),
# --cluster-redis-nodes 2 (node counts on the Redis adapter, with the Redis at --redis redis://127.0.0.1:6379, never
# flushed, channels prefixed per run), --cluster-nodes 1,2,4 (node counts on the sharded adapter, with a three-master
# Redis Cluster started on loopback ports for the run and stopped at its end; needs redis-server 7),
# --cluster-rates 5; --quick uses 100 clients on 2 nodes and on 1,2 sharded nodes; nodes listen on --port and up;
# by estimate, the default cluster sizes add some 20 minutes to a full run (3 rounds of Parley and Node),
# --payload BYTES, --port P (3917), --sources K (loopback source addresses), --gencheck CLIENTS (0: skip),
# --jvm-flags '...' (the server JVMs' flags, Parley and netty-socketio alike; default none, as
# scripts/scenario-server.sh starts a server: heap not pinned). GEN_JAVA_OPTS sets the generator JVM's flags.
# --idle-ws 5000,19900 (--quick: 500; '' for none): the idle sizes' connect rate again with the ws-based generator
# benchmarks/node/storm.mjs (how the official Node client connects), 256 handshakes in flight as the Java generator's.
# --cold idle:5000,idle:19900,fanout:5000:5,echo:100,storm:19900,storm-ws:19900 (the default; --quick:
# idle:500,fanout:200:5,echo:50,storm:500,storm-ws:500; '' for none):
# after the warm rounds, each of these scenarios again on every server started for it alone, measured from its first
# second with no warm-up (--cold-rounds N, default as many as --rounds; interleaved); the report shows a "cold:" row under each warm one, and "cold: start"
# (time to open port and to the first Socket.IO connection). storm:N is the connect storm: one second after the
# server's port opened, N WebSocket clients connect at once (no limit in flight) and each joins its room (one of 100)
# as soon as it is connected: the time until all have joined, with the Java generator; storm-ws:N the same with
# benchmarks/node/storm.mjs. Parley starts as scripts/scenario-server.sh does, so with
# the class-data archive of scripts/train-cds.sh when there is one for the JDK (train after the build, or run with
# BENCH_NO_BUILD=1; a rebuild makes it stale). The servers parley-noarchive (PARLEY_CDS=off: the JDK's default CDS
# archive only) and parley-nocds (also -Xshare:off) show what the archive buys, e.g.
#   scripts/train-cds.sh && BENCH_NO_BUILD=1 scripts/bench.sh --servers parley,parley-noarchive,node --cold idle:5000,echo:100
# --baseline DIR adds the server "baseline": Parley as built in another checkout DIR (build it there first with
# `mvn -q -DskipTests package -pl examples -am`: package, not install, which would replace this checkout's
# snapshots in ~/.m2), for A/B runs of two builds: --servers parley,baseline --rounds 3 interleaves them.
# The servers parley-public and parley-fast are this build with its WebSocket path forced
# (-Dparley.websocket.path=public|fast; "parley" takes the default, the fast path where its start-up check
# passes): the A/B of Jetty's WebSocket API against Parley's own frame layer, and of each against the
# build before, e.g. --servers parley-public,parley-fast,baseline --baseline ../before --rounds 3.
# The servers parley-observed and parley-observed-all are this build with a ServerObserver registered
# (the scenario server's OBSERVER=counting, and OBSERVER=deliveries, which adds a call per broadcast
# recipient): what observing costs, e.g. --servers parley,parley-observed,parley-observed-all --rounds 3.
# The server parley-metrics is this build with the Micrometer binder bound (METRICS=on, ParleyMetrics on a
# SimpleMeterRegistry): the A/B of metrics on and off, e.g. --servers parley,parley-metrics --rounds 3.
# The servers parley-admin and parley-admin-prod are this build instrumented for the Socket.IO admin UI
# (ADMIN_UI=on: development mode, a notification per event; ADMIN_UI=production: statistics only), with no
# admin page connected: what the admin UI costs, e.g. --servers parley,parley-admin-prod,parley-admin --rounds 3.
#
#   scripts/bench.sh --jmh [JMH options]   # the JMH microbenchmarks instead (a few minutes), in-process:
#       CodecBenchmark (Engine.IO/Socket.IO decode of an incoming event, encode of the outgoing tick) and
#       BroadcastBenchmark (io.to(room).emit to 1/100/1000 sockets through the real server, adapter and
#       sessions down to a transport that counts bytes: ns per broadcast and per recipient). With JMH
#       options only the benchmarks they name run, e.g. `--jmh BroadcastBenchmark -prof gc`; options
#       without a name (`--jmh -prof gc`) run every benchmark of the module.
#
# BENCH_NO_BUILD=1 skips rebuilding Parley (measures the build already in examples/target).
# The benchmarks module is outside the default build (Maven profile `bench`, -Pbench). Nothing is installed
# into ~/.m2: the reactor packages what it needs, and the servers and the generator run from target/classes
# plus the jars copied into target/lib.
# --jdk DIR (first option) runs the build, both JVM servers and the generator on that JDK, e.g.
#   scripts/bench.sh --jdk /usr/lib/jvm/temurin-25-jdk-amd64
set -euo pipefail
if [ "${1:-}" = "--jdk" ]; then
  export JAVA_HOME="$2"
  export PATH="$2/bin:$PATH"
  BENCH_JDK_ARGS=(--jdk "$2")
  shift 2
else
  BENCH_JDK_ARGS=()
fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

if [ "${BENCH_NO_BUILD:-0}" = 1 ]; then
  # measure the Parley build already in examples/target (scripts/scenario-server.sh builds it if absent)
  # (the reactor packages the core it compiles against; the scenario server's classpath, examples/target, is left alone)
  echo "bench: BENCH_NO_BUILD=1: building only the benchmarks module; Parley as already built" >&2
  mvn -q -B -Pbench -DskipTests package -pl benchmarks -am >&2
else
  echo "bench: building Parley and the benchmarks module (tests skipped)..." >&2
  mvn -q -B -Pbench -DskipTests package -pl examples,benchmarks -am >&2
fi
CP="$ROOT/benchmarks/target/classes:$ROOT/benchmarks/target/lib/*"
if [ "${1:-}" = "--jmh" ]; then
  shift
  if [ $# -eq 0 ]; then
    set -- dev.parley.bench.CodecBenchmark dev.parley.bench.BroadcastBenchmark
  fi
  exec java -cp "$CP" org.openjdk.jmh.Main "$@"
fi

echo "bench: installing the Node peer from benchmarks/node/package-lock.json (npm ci)..." >&2
(cd benchmarks/node && npm ci --no-audit --no-fund --loglevel=error) >&2

# the generator holds every client connection: raise its open-files limit to the hard limit
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
export BENCH_ULIMIT_N="$(ulimit -n)"

exec java -XX:+ExitOnOutOfMemoryError ${GEN_JAVA_OPTS:--Xms1g -Xmx3g} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" \
  dev.parley.bench.Bench --root "$ROOT" --command "scripts/bench.sh${BENCH_JDK_ARGS[*]:+ ${BENCH_JDK_ARGS[*]}}" "$@"
