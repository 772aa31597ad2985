// The reference: a Node.js socket.io 4.8.4 server on 127.0.0.1 and a free port, for the parity tests
// (dev.parley.it.ReferenceServer). Parley's tests send the same requests to it and to Parley and compare.
// Usage: node reference-server.mjs
//
// On start it prints {"ready":true,"port":P}. Every socket of "/" is sent its own handshake object as
// the event "handshake"; io.engine's "initial_headers" sets the cookie "initial=1" and "headers" adds
// the header "X-Parity: <transport query value>" to every response of the engine.
import { createServer } from "node:http";
import { Server } from "socket.io";

const out = (msg) => process.stdout.write(JSON.stringify(msg) + "\n");

const http = createServer();
const io = new Server(http, { pingInterval: 1000, pingTimeout: 2000 });
io.engine.on("initial_headers", (headers, req) => {
  headers["set-cookie"] = ["initial=1; Path=/"];
});
io.engine.on("headers", (headers, req) => {
  headers["X-Parity"] = String(req._query && req._query.transport);
});
io.on("connection", (socket) => socket.emit("handshake", socket.handshake));
await new Promise((r) => http.listen(0, "127.0.0.1", r));
out({ ready: true, port: http.address().port });
// never outlive the Java side
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
