// The Node socket.io 4.8 peer of Parley's scenario server, for scripts/bench.sh.
// Same handlers as dev.parley.examples.scenario.ScenarioServer for what the benchmark uses:
// join(room) -> ack true; leave(room) -> ack true; broadcast(room, payload) -> io.to(room).emit("tick", payload), ack true;
// broadcast-others(room, payload) -> socket.to(room).emit("tick", payload), ack true; echo(...args) -> ack(...args).
// Listens on 127.0.0.1:$PORT (3000). Its PID is the node process (started directly, not through npm).
// ADAPTER=memory (default), redis or redis-sharded, as the scenario server's: redis is @socket.io/redis-adapter's
// createAdapter on REDIS_URL (default redis://127.0.0.1:6379), redis-sharded its createShardedAdapter (Redis 7
// sharded pub/sub, subscriptionMode "dynamic"; REDIS_URL one URI or a comma-separated list of Redis Cluster
// seeds, then a node-redis cluster client); CHANNEL_PREFIX (default socket.io) is the key / channelPrefix.
import { createServer } from "node:http";
import { Server } from "socket.io";

const port = Number(process.env.PORT || 3000);
const kind = process.env.ADAPTER || "memory";
const options = { serveClient: false, cors: { origin: "*" } };
if (kind === "redis" || kind === "redis-sharded") {
  const { createAdapter, createShardedAdapter } = await import("@socket.io/redis-adapter");
  const { createClient, createCluster } = await import("redis");
  const url = process.env.REDIS_URL || "redis://127.0.0.1:6379";
  const prefix = process.env.CHANNEL_PREFIX || "socket.io";
  const urls = url.split(",");
  const pub = urls.length > 1 ? createCluster({ rootNodes: urls.map((u) => ({ url: u })) }) : createClient({ url });
  const sub = pub.duplicate();
  pub.on("error", (e) => console.error(`redis pub: ${e}`));
  sub.on("error", (e) => console.error(`redis sub: ${e}`));
  await Promise.all([pub.connect(), sub.connect()]);
  options.adapter = kind === "redis"
    ? createAdapter(pub, sub, { key: prefix })
    : createShardedAdapter(pub, sub, { channelPrefix: prefix, subscriptionMode: "dynamic" });
  console.log(`node socket.io on the ${kind === "redis" ? "" : "sharded "}Redis adapter at ${url}, prefix ${prefix}`);
} else if (kind !== "memory") {
  console.error(`ADAPTER=${kind} is unknown: use memory (default), redis or redis-sharded`);
  process.exit(2);
}
const httpServer = createServer();
const io = new Server(httpServer, options);

io.on("connection", (socket) => {
  socket.on("join", (room, ack) => { socket.join(room); if (ack) ack(true); });
  socket.on("leave", (room, ack) => { socket.leave(room); if (ack) ack(true); });
  socket.on("broadcast", (room, payload, ack) => { io.to(room).emit("tick", payload); if (ack) ack(true); });
  socket.on("broadcast-others", (room, payload, ack) => { socket.to(room).emit("tick", payload); if (ack) ack(true); });
  socket.on("echo", (...args) => {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
    if (ack) ack(...args);
  });
});

httpServer.listen(port, "127.0.0.1", () => console.log(`node socket.io ${process.versions.node} listening on http://127.0.0.1:${port}/socket.io/`));
