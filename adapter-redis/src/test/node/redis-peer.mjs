// A Node.js socket.io 4.8 server on @socket.io/redis-adapter 8.3 (node-redis 4), with two real
// socket.io-client sockets, driven by RedisNodeInteropTest over JSON lines on stdin/stdout.
// Usage: node redis-peer.mjs <keyPrefix> <redisUrl>
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { Server } from "socket.io";
import { io as connect } from "socket.io-client";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";

const [key, url = "redis://127.0.0.1:6379"] = process.argv.slice(2);
const out = (msg) => process.stdout.write(JSON.stringify(msg) + "\n");
const plain = (v) => (Buffer.isBuffer(v) ? { bin: [...v] } : v);

const pub = createClient({ url });
const sub = pub.duplicate();
await Promise.all([pub.connect(), sub.connect()]);

const http = createServer();
const io = new Server(http, { adapter: createAdapter(pub, sub, { key, requestsTimeout: 2000 }) });
const serverSide = [];
io.on("hello", (...args) => serverSide.push(args));
io.on("ping-ssa", (arg, cb) => cb({ pong: "node", got: arg }));
io.on("connection", (socket) => {
  socket.data = { name: socket.handshake.auth.name };
  socket.join(socket.handshake.auth.rooms);
});
await new Promise((r) => http.listen(0, "127.0.0.1", r));
const port = http.address().port;

const received = {};
const ids = {};
for (const [name, rooms] of [["n1", ["room1"]], ["n2", ["room2"]]]) {
  const c = connect(`http://127.0.0.1:${port}`, { transports: ["websocket"], auth: { name, rooms } });
  received[name] = [];
  c.onAny((event, ...args) => {
    const cb = typeof args[args.length - 1] === "function" ? args.pop() : null;
    received[name].push([event, ...args.map(plain)]);
    if (cb) cb({ from: name });
  });
  await new Promise((r) => c.on("connect", r));
  ids[name] = c.id;
}
await new Promise((r) => setTimeout(r, 100)); // joins done
out({ ready: true, ids });

const details = (s) => ({ id: s.id, rooms: [...s.rooms], data: s.data, auth: s.handshake.auth });
const handlers = {
  emit: ({ rooms, args }) => { io.to(rooms).emit(...args); return {}; },
  received: () => ({ received, serverSide }),
  fetch: async ({ rooms }) => ({ sockets: (await io.in(rooms).fetchSockets()).map(details) }),
  join: ({ rooms, join }) => { io.in(rooms).socketsJoin(join); return {}; },
  rooms: ({ name }) => ({ rooms: [...(io.of("/").sockets.get(ids[name])?.rooms ?? [])] }),
  serverSideEmitWithAck: async ({ args }) => ({ answers: await io.serverSideEmitWithAck(...args) }),
  emitWithAck: async ({ rooms, args }) => ({ answers: await io.to(rooms).timeout(2000).emitWithAck(...args) }),
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
await Promise.all([pub.quit(), sub.quit()]);
process.exit(0);
