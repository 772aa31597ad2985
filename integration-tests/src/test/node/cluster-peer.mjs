// A Node.js socket.io 4.8 server on @socket.io/redis-adapter 8.3 (node-redis 4), a member of a mixed
// Parley/Node cluster, driven by dev.parley.it.cluster.NodeServer over JSON lines on stdin/stdout.
// Usage: node cluster-peer.mjs <keyPrefix> [redisUrl] [classic|sharded|sharded-static|sharded-dynamic-private]
// "classic" (the default) is createAdapter; the others createShardedAdapter (Redis 7 sharded pub/sub)
// in that subscriptionMode ("sharded" is the default mode, "dynamic"). A comma-separated redisUrl is the
// seed list of a Redis Cluster (createCluster).
//
// On start it prints {"ready":true,"port":P}. Each command {"id":n,"cmd":"...",...} gets one answer
// {"id":n,...} or {"id":n,"error":"..."}. A target is {"rooms":[...],"except":[...]} (both optional).
// Sockets get data {name, node:"node"} from auth.name and join auth.room; a client event
// "shout"(room, text) does socket.to(room).emit("shouted", text); server-side events "hello" are
// recorded, "ping-ssa"(arg) is answered with {pong:"node", got:arg}.
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { Server } from "socket.io";
import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import { createClient, createCluster } from "redis";

const [key, url = "redis://127.0.0.1:6379", kind = "classic"] = process.argv.slice(2);
const out = (msg) => process.stdout.write(JSON.stringify(msg) + "\n");

const urls = url.split(",");
const pub = urls.length > 1 ? createCluster({ rootNodes: urls.map((u) => ({ url: u })) }) : createClient({ url });
const sub = pub.duplicate();
pub.on("error", (e) => process.stderr.write(`redis pub: ${e}\n`));
sub.on("error", (e) => process.stderr.write(`redis sub: ${e}\n`));
await Promise.all([pub.connect(), sub.connect()]);

const adapter = kind === "classic"
  ? createAdapter(pub, sub, { key, requestsTimeout: 2000 })
  : createShardedAdapter(pub, sub, {
    channelPrefix: key,
    subscriptionMode: kind === "sharded" ? "dynamic" : kind.substring("sharded-".length),
  });
const http = createServer();
const io = new Server(http, {
  adapter,
  pingInterval: 1000,
  pingTimeout: 2000,
});
const serverSide = [];
const disconnects = {};
io.on("hello", (...args) => serverSide.push(["hello", ...args]));
io.on("ping-ssa", (arg, cb) => cb({ pong: "node", got: arg }));
io.on("connection", (socket) => {
  const auth = socket.handshake.auth || {};
  socket.data = { name: auth.name, node: "node" };
  if (auth.room) socket.join(auth.room);
  socket.on("disconnect", (reason) => (disconnects[socket.id] = reason));
  socket.on("shout", (room, text) => socket.to(room).emit("shouted", text));
});
await new Promise((r) => http.listen(0, "127.0.0.1", r));
out({ ready: true, port: http.address().port });

const target = ({ rooms = [], except = [] }) => {
  let op = io.of("/");
  if (rooms.length) op = op.in(rooms);
  if (except.length) op = op.except(except);
  return op;
};
const details = (s) => ({ id: s.id, rooms: [...s.rooms], data: s.data, auth: s.handshake.auth });
const handlers = {
  emit: (c) => { target(c).emit(c.event, ...(c.args || [])); return {}; },
  fetch: async (c) => ({ sockets: (await target(c).fetchSockets()).map(details) }),
  remote: async (c) => {
    const [s] = await io.in(c.socket).fetchSockets();
    if (!s) throw new Error(`no socket ${c.socket}`);
    if (c.action === "emit") s.emit(...c.args);
    else if (c.action === "join") s.join(c.args);
    else if (c.action === "leave") s.leave(c.args[0]);
    else if (c.action === "disconnect") s.disconnect(c.close);
    return {};
  },
  socketsJoin: (c) => { target(c).socketsJoin(c.join); return {}; },
  socketsLeave: (c) => { target(c).socketsLeave(c.leave); return {}; },
  disconnectSockets: (c) => { target(c).disconnectSockets(c.close); return {}; },
  rooms: (c) => ({ rooms: io.of("/").sockets.get(c.socket) ? [...io.of("/").sockets.get(c.socket).rooms] : null }),
  serverSideEmit: (c) => { io.serverSideEmit(...c.args); return {}; },
  serverSideEmitWithAck: async (c) => ({ answers: await io.serverSideEmitWithAck(...c.args) }),
  emitWithAck: async (c) => {
    try {
      return { answers: await target(c).timeout(c.timeout).emitWithAck(...c.args) };
    } catch (e) {
      return { timeoutError: String(e && e.message), answers: e.responses ?? null };
    }
  },
  state: () => ({ serverSide, disconnects }),
  serverCount: async () => ({ count: await io.of("/").adapter.serverCount() }),
};

for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line);
  try {
    out({ id: cmd.id, ...(await handlers[cmd.cmd](cmd)) });
  } catch (e) {
    out({ id: cmd.id, error: String(e && e.message) });
  }
}
io.close();
await Promise.allSettled([pub.quit(), sub.quit()]);
process.exit(0);
