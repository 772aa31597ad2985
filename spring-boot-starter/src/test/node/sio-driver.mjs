// The official socket.io-client driven over stdin/stdout, one JSON object per line.
// Usage: node sio-driver.mjs <url> '<options as JSON>'
// Prints {"event":"open","transport":...}, {"event":"connect","id":...,"transport":...},
// {"event":"upgrade","transport":...},
// {"event":"ack","id":...,"args":[...]}, {"event":"message","name":...,"args":[...]},
// {"event":"disconnect","reason":...}, {"event":"connect_error","message":...}.
// Reads {"cmd":"emit","event":...,"args":[...],"id":...} (an id asks for an ack) and {"cmd":"close"}.
import { io } from "socket.io-client";
import { createInterface } from "node:readline";

const [url, optionsJson] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
const socket = io(url, { reconnection: false, forceNew: true, ...JSON.parse(optionsJson || "{}") });

// the Engine.IO connection opens (before any upgrade, which may come before the namespace's connect)
socket.io.on("open", () => {
  out({ event: "open", transport: socket.io.engine.transport.name });
  socket.io.engine.on("upgrade", (t) => out({ event: "upgrade", transport: t.name }));
});
socket.on("connect", () => out({ event: "connect", id: socket.id, transport: socket.io.engine.transport.name }));
socket.on("connect_error", (err) => out({ event: "connect_error", message: err.message }));
socket.on("disconnect", (reason) => out({ event: "disconnect", reason }));
socket.onAny((name, ...args) => out({ event: "message", name, args }));

createInterface({ input: process.stdin }).on("line", (line) => {
  const cmd = JSON.parse(line);
  if (cmd.cmd === "emit") {
    if (cmd.id !== undefined) {
      socket.emit(cmd.event, ...(cmd.args || []), (...answer) => out({ event: "ack", id: cmd.id, args: answer }));
    } else {
      socket.emit(cmd.event, ...(cmd.args || []));
    }
  } else if (cmd.cmd === "close") {
    socket.disconnect();
    setTimeout(() => process.exit(0), 50);
  }
}).on("close", () => process.exit(0));
