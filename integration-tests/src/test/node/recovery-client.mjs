// One socket.io-client 4.8.4 socket with reconnection on, for Parley's connection state recovery
// tests (dev.parley.it.recovery). Usage: node recovery-client.mjs <url> <polling|websocket>
//
// Events on stdout, one JSON object per line:
//   {"type":"connect","id":"...","recovered":true|false,"transport":"websocket"}
//   {"type":"event","event":"m","args":[...]}   (args as the client got them; the client strips nothing,
//                                                 so a recovery offset shows as the last argument)
//   {"type":"disconnect","reason":"..."}
//   {"type":"connect_error","message":"..."}
// Commands on stdin, one per line: "exit".
import { io } from "socket.io-client";
import { createInterface } from "node:readline";

const [url, transport] = process.argv.slice(2);
const out = (type, fields = {}) => process.stdout.write(JSON.stringify({ type, ...fields }) + "\n");

const socket = io(url, {
  forceNew: true,
  transports: [transport],
  upgrade: false,
  reconnection: true,
  reconnectionDelay: 100,
  reconnectionDelayMax: 300,
  randomizationFactor: 0,
});
socket.on("connect", () =>
  out("connect", { id: socket.id, recovered: socket.recovered, transport: socket.io.engine.transport.name }));
socket.on("disconnect", (reason) => out("disconnect", { reason }));
socket.on("connect_error", (err) => out("connect_error", { message: String(err && err.message) }));
socket.onAny((event, ...args) => out("event", { event, args }));

createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() === "exit") {
    socket.disconnect();
    process.exit(0);
  }
});
process.stdin.on("end", () => process.exit(0));
out("ready");
