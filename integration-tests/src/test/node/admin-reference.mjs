// A Node.js socket.io 4.8 server instrumented with the official @socket.io/admin-ui 0.5.1: the reference
// Parley's admin UI is compared with (dev.parley.it.sio.AdminUiTest).
// Usage: node admin-reference.mjs <password> [development|production] [readonly] [redis key prefix]
// With a key prefix it is on @socket.io/redis-adapter 8.3 (127.0.0.1:6379) with that key, a member of a
// cluster with Parley servers on the Redis adapter, and keeps admin sessions in Redis with the keys of
// admin-ui's RedisStore ("<prefix>#<id>" = "1", 24 h; prefix "<key>-admin", as Parley's RedisSessionStore
// is given in the test). admin-ui 0.5.1's RedisStore speaks node-redis 3's callbacks, so this is the same
// store written for node-redis 4.
// Prints {"ready":true,"port":P,"hash":"<bcryptjs hash of the password>"} once listening; exits when stdin closes.
// Its sockets answer "join"(room) and "leave"(room) by joining or leaving, "ask"(x) with an emit
// "question"(x), "set"(key, value) by setting socket.data[key], and "broadcast"(room, x) with
// io.to(room).emit("tick", x), as the Parley side does.
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { Server } from "socket.io";

const require = createRequire(import.meta.url);
const { instrument } = require("@socket.io/admin-ui");
const bcrypt = createRequire(require.resolve("@socket.io/admin-ui"))("bcryptjs");

const [password, mode = "development", readonly, key] = process.argv.slice(2);
let adapter;
let store;
if (key) {
  const { createClient } = await import("redis");
  const { createAdapter } = await import("@socket.io/redis-adapter");
  const pub = createClient({ url: "redis://127.0.0.1:6379" });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  adapter = createAdapter(pub, sub, { key, requestsTimeout: 2000 });
  const sessionKey = (id) => `${key}-admin#${id}`;
  store = {
    doesSessionExist: async (id) => (await pub.exists(sessionKey(id))) === 1,
    saveSession: (id) => pub.set(sessionKey(id), "1", { EX: 86400 }),
  };
}
const hash = bcrypt.hashSync(password, 4);
const http = createServer();
const io = new Server(http, { pingInterval: 1000, pingTimeout: 2000, ...(adapter ? { adapter } : {}) });
io.on("connection", (socket) => {
  socket.on("join", (room) => socket.join(room));
  socket.on("leave", (room) => socket.leave(room));
  socket.on("ask", (x) => socket.emit("question", x));
  socket.on("set", (k, v) => (socket.data[k] = v));
  socket.on("broadcast", (room, x) => io.to(room).emit("tick", x));
});
instrument(io, {
  auth: { type: "basic", username: "admin", password: hash },
  mode,
  readonly: readonly === "readonly",
  serverId: "node-reference",
  ...(store ? { store } : {}),
});
await new Promise((r) => http.listen(0, "127.0.0.1", r));
process.stdout.write(JSON.stringify({ ready: true, port: http.address().port, hash }) + "\n");
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
