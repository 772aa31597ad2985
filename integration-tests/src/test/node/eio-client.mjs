// Drives the official engine.io-client from Parley's JUnit tests (see NodeClient.java).
//
// Protocol: one JSON object per line. Commands arrive on stdin, events leave on stdout; stderr is
// free-form diagnostics (set DEBUG=engine.io-client:* for the client's own trace).
//
// Commands                                                     Events
//   {"cmd":"connect","url":"http://127.0.0.1:P","opts":{...}}    {"event":"ready"}            (at start)
//   {"cmd":"send","text":"..."}                                  {"event":"open","transport":"polling","sid":"..."}
//   {"cmd":"sendBinary","base64":"..."}                          {"event":"upgrading","transport":"websocket"}
//   {"cmd":"burst","prefix":"c-","count":200,"intervalMs":1,     {"event":"upgrade","transport":"websocket"}
//          "holdAt":100,"holdUntil":"upgrade","holdMaxMs":5000}  {"event":"upgradeError","message":"..."}
//   {"cmd":"dropPings"}   (stop answering the server's pings)     {"event":"message","text":"..."}
//   {"cmd":"close"}       (socket.close())                       {"event":"message","binary":"<base64>"}
//   {"cmd":"exit"}                                               {"event":"ping"} / {"event":"pingDropped"}
//                                                                {"event":"burstDone","count":N}
//                                                                {"event":"close","reason":"...","description":"...",
//                                                                 "code":1009,"closeReason":""}  (code: WebSocket closes)
//                                                                {"event":"error","message":"..."}
//
// "dropPings" makes the client behave like a frozen peer: the Socket subclass below overrides
// _onPacket (the method engine.io-client 6.6.8 binds as every transport's "packet" listener, through
// the prototype chain) and swallows "ping" packets, so no pong is sent. It also stops the client's own
// heartbeat timer (_resetPingTimeout, pingInterval + pingTimeout from the last ping): that timer
// expires at about the moment the server's pingTimeout does (a little earlier, by the one-way
// latency), and the client would then close the connection itself, so the server would see
// "transport close" instead of detecting the dead peer with "ping timeout".
import { Socket } from "engine.io-client";
import { createInterface } from "node:readline";

function emit(event, fields = {}) {
  process.stdout.write(JSON.stringify({ event, ...fields }) + "\n");
}

function toBase64(data) {
  if (Buffer.isBuffer(data)) return data.toString("base64");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("base64");
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
  throw new Error("not binary: " + Object.prototype.toString.call(data));
}

class TestSocket extends Socket {
  dropPings() {
    this.parleyDropPings = true;
    this.clearTimeoutFn(this._pingTimeoutTimer);
  }

  _resetPingTimeout() {
    if (!this.parleyDropPings) super._resetPingTimeout();
  }

  _onPacket(packet) {
    if (packet.type === "ping" && this.parleyDropPings) {
      emit("pingDropped");
      return;
    }
    if (packet.type === "ping") emit("ping");
    super._onPacket(packet);
  }
}

let socket = null;
let upgraded = false;

function connect(url, opts) {
  socket = new TestSocket(url, opts);
  socket.on("open", () => emit("open", { transport: socket.transport.name, sid: socket.id }));
  socket.on("upgrading", (t) => emit("upgrading", { transport: t.name }));
  socket.on("upgrade", (t) => {
    upgraded = true;
    emit("upgrade", { transport: t.name });
  });
  socket.on("upgradeError", (err) => emit("upgradeError", { message: String(err && err.message) }));
  socket.on("message", (data) => {
    try {
      if (typeof data === "string") emit("message", { text: data });
      // engine.io-parser decodes the packet "4" (an empty text message) to data === undefined
      else if (data === undefined) emit("message", { text: "", undefinedData: true });
      else emit("message", { binary: toBase64(data) });
    } catch (e) {
      emit("error", { message: "message listener failed: " + e });
    }
  });
  socket.on("error", (err) => emit("error", { message: String(err && err.message ? err.message : err) }));
  socket.on("close", (reason, description) => {
    // a WebSocket's close event: its code and reason, as engine.io-client's own test reads them
    const ctx = description && typeof description === "object" ? description.context : undefined;
    const wsClose = ctx && typeof ctx.code === "number" ? { code: ctx.code, closeReason: String(ctx.reason) } : {};
    let d = description;
    if (d instanceof Error) d = d.message;
    else if (d && typeof d === "object") d = d.description ? String(d.description) : JSON.stringify(d);
    emit("close", { reason, description: d === undefined ? null : String(d), ...wsClose });
  });
}

function waitFor(predicate, maxMs) {
  return new Promise((resolve) => {
    const deadline = Date.now() + maxMs;
    const tick = () => (predicate() || Date.now() > deadline ? resolve() : setTimeout(tick, 1));
    tick();
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function burst({ prefix = "", count = 0, intervalMs = 0, holdAt = -1, holdUntil = "upgrade", holdMaxMs = 5000 }) {
  for (let i = 0; i < count; i++) {
    if (i === holdAt && holdUntil === "upgrade") await waitFor(() => upgraded, holdMaxMs);
    socket.send(prefix + i);
    if (intervalMs > 0) await sleep(intervalMs);
  }
  emit("burstDone", { count });
}

function handle(cmd) {
  switch (cmd.cmd) {
    case "connect":
      connect(cmd.url, cmd.opts || {});
      break;
    case "send":
      socket.send(cmd.text);
      break;
    case "sendBinary":
      socket.send(Buffer.from(cmd.base64, "base64"));
      break;
    case "burst":
      burst(cmd).catch((e) => emit("error", { message: "burst failed: " + e }));
      break;
    case "dropPings":
      socket.dropPings();
      break;
    case "close":
      socket.close();
      break;
    case "exit":
      process.exit(0);
      break;
    default:
      emit("error", { message: "unknown command " + JSON.stringify(cmd) });
  }
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (!line.trim()) return;
  try {
    handle(JSON.parse(line));
  } catch (e) {
    emit("error", { message: "command failed: " + (e && e.stack ? e.stack : e) });
  }
});
// The Java side went away (or closed our stdin): never outlive it.
lines.on("close", () => process.exit(0));
emit("ready");
