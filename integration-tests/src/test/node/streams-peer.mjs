// A Node.js socket.io 4.8 server on @socket.io/redis-streams-adapter 0.3.1 (node-redis 4) with connection
// state recovery on, a member of a mixed Parley/Node cluster, driven by dev.parley.it.recovery's
// StreamsRecoveryTest over JSON lines on stdin/stdout.
// Usage: node streams-peer.mjs <key> [redisUrl]   (stream <key>, session keys <key>:session:, channels <key>#...)
//
// On start it prints {"ready":true,"port":P}. Each command {"id":n,"cmd":"...",...} gets one answer
// {"id":n,...} or {"id":n,"error":"..."}. A socket that connects fresh joins "room1" and gets data
// {user:"ann"}; every connection and disconnection is also printed unprompted as
// {"event":"connection","id":...,"recovered":bool} / {"event":"disconnect","id":...,"reason":...}.
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-streams-adapter";
import { createClient } from "redis";

const [key, url = "redis://127.0.0.1:6379"] = process.argv.slice(2);
const out = (msg) => process.stdout.write(JSON.stringify(msg) + "\n");

const redis = createClient({ url });
redis.on("error", (e) => process.stderr.write(`redis: ${e}\n`));
await redis.connect();

const http = createServer();
const io = new Server(http, {
  adapter: createAdapter(redis, {
    streamName: key,
    sessionKeyPrefix: `${key}:session:`,
    channelPrefix: key,
    blockTimeInMs: 500,
  }),
  connectionStateRecovery: { maxDisconnectionDuration: 60000, skipMiddlewares: true },
  pingInterval: 1000,
  pingTimeout: 2000,
});
io.on("connection", (socket) => {
  if (!socket.recovered) {
    socket.join("room1");
    socket.data = { user: "ann" };
  }
  out({ event: "connection", id: socket.id, recovered: socket.recovered });
  socket.on("disconnect", (reason) => out({ event: "disconnect", id: socket.id, reason }));
});
await new Promise((r) => http.listen(0, "127.0.0.1", r));
out({ ready: true, port: http.address().port });

const handlers = {
  // {rooms?, except?, volatile?, event, args}
  emit: (c) => {
    let op = io.of("/");
    if (c.rooms && c.rooms.length) op = op.to(c.rooms);
    if (c.except && c.except.length) op = op.except(c.except);
    if (c.volatile) op = op.volatile;
    op.emit(c.event, ...(c.args || []));
    return {};
  },
  socket: (c) => {
    const s = io.of("/").sockets.get(c.socket);
    return s ? { found: true, rooms: [...s.rooms], data: s.data, recovered: s.recovered } : { found: false };
  },
};

createInterface({ input: process.stdin }).on("line", async (line) => {
  let c;
  try {
    c = JSON.parse(line);
  } catch {
    return;
  }
  try {
    out({ id: c.id, ...(await handlers[c.cmd](c)) });
  } catch (e) {
    out({ id: c.id, error: String(e && e.message) });
  }
});
process.stdin.on("end", () => process.exit(0));
