// Many socket.io-client sockets in one process for burst tests (see dev.parley.it.sio.SioScaleTest).
// Checks in Node what would be too many JSON lines for the Java side: every socket counts the numbered
// events it gets and checks they come 1, 2, 3, ... with nothing missing or repeated.
//
// Usage: node sio-burst.mjs '{"url":"http://127.0.0.1:P","count":500,"event":"b","expect":200,
//                             "transports":["websocket"],"upgrade":false}'
// Each socket: io(url, {forceNew: true, multiplex: false, reconnection: false, transports, upgrade}).
// Events go to stdout, one JSON object a line:
//   {"type":"connected","ids":[...]}                    once every socket is connected
//   {"type":"connect_error","index":i,"message":"..."}  a socket could not connect
//   {"type":"done","index":i,"id":"...","count":N}      socket i got `expect` events, in order
//   {"type":"bad","index":i,"id":"...","got":n,"wanted":m}  first out-of-order / repeated number
//   {"type":"disconnect","index":i,"reason":"..."}
//   {"type":"report","sockets":[{"index":i,"id":"...","count":n,"ok":true,"extra":0}, ...]}
// Commands on stdin, one a line: "report" (the state of every socket), "exit".
import { io } from "socket.io-client";
import { createInterface } from "node:readline";

const cfg = JSON.parse(process.argv[2]);
const out = (type, fields = {}) => process.stdout.write(JSON.stringify({ type, ...fields }) + "\n");

const states = [];
let connected = 0;
for (let i = 0; i < cfg.count; i++) {
  const socket = io(cfg.url, {
    forceNew: true,
    multiplex: false,
    reconnection: false,
    transports: cfg.transports,
    upgrade: cfg.upgrade,
  });
  const st = { index: i, socket, count: 0, ok: true, extra: 0, wasConnected: false };
  states.push(st);
  socket.on("connect", () => {
    if (st.wasConnected) return;
    st.wasConnected = true;
    connected++;
    if (connected === cfg.count) out("connected", { ids: states.map((s) => s.socket.id) });
  });
  socket.on("connect_error", (err) => out("connect_error", { index: i, message: String(err && err.message) }));
  socket.on("disconnect", (reason) => out("disconnect", { index: i, reason }));
  socket.on(cfg.event, (n) => {
    if (st.count >= cfg.expect) {
      st.extra++;
      st.ok = false;
      return;
    }
    if (n !== st.count + 1) {
      if (st.ok) out("bad", { index: i, id: socket.id, got: n, wanted: st.count + 1 });
      st.ok = false;
    }
    st.count++;
    if (st.count === cfg.expect) out("done", { index: i, id: socket.id, count: st.count, ok: st.ok });
  });
}

createInterface({ input: process.stdin }).on("line", (line) => {
  const cmd = line.trim();
  if (cmd === "report") {
    out("report", {
      sockets: states.map((s) => ({ index: s.index, id: s.socket.id, count: s.count, ok: s.ok, extra: s.extra,
        connected: s.socket.connected })),
    });
  } else if (cmd === "exit") {
    for (const s of states) s.socket.disconnect();
    process.exit(0);
  }
});
process.stdin.on("end", () => process.exit(0));
out("ready");
