// Drives the official socket.io-client from Parley's JUnit tests (see dev.parley.it.sio.SioNodeClient).
//
// One process holds any number of client sockets, each known by a name chosen by the Java side.
// Protocol: one JSON object per line. Commands arrive on stdin, events leave on stdout; stderr is
// free-form diagnostics (set DEBUG=socket.io-client:*,engine.io-client:* for the clients' own trace).
//
// Binary values travel as {"$bin":"<base64>"} at any depth, in both directions: a command's args are
// decoded to Buffers before they are emitted, and every Buffer / ArrayBuffer / typed array the client
// receives is written back in that form.
//
// Commands (the "socket" field names the client socket)
//   {"cmd":"connect","socket":"s1","url":"http://127.0.0.1:P","namespace":"/chat","opts":{...}}
//        io(url + namespace, {forceNew: true, reconnection: false, ...opts}): a connection of its own
//        unless opts says otherwise ({"forceNew":false} uses socket.io-client's cache, which
//        multiplexes namespaces of the same URL). opts are socket.io-client options: transports,
//        upgrade, auth, query, multiplex, forceNew, ackTimeout, ...
//   {"cmd":"connect","socket":"s2","via":"s1","namespace":"/admin","opts":{"auth":{...}}}
//        another namespace over s1's connection: s1.io.socket(namespace, opts)
//   {"cmd":"emit","socket":"s1","event":"e","args":[...]}
//   {"cmd":"emitWithAck","socket":"s1","event":"e","args":[...],"ackId":"a1","timeout":500}
//        with the callback form (every ack argument is reported); "timeout" is optional
//        (socket.timeout(ms).emit(..., (err, ...res) => ...))
//   {"cmd":"autoAck","socket":"s1","event":"e","mode":"echo"|"reply"|"never","args":[...]}
//        how to answer incoming events that ask for an ack: echo their args, reply "args", or never
//        (the default). "event":"*" sets the default for events without a rule of their own.
//   {"cmd":"answer","callId":7,"args":[...]}   answers the incoming event reported with that callId
//   {"cmd":"disconnect","socket":"s1"}         socket.disconnect()
//   {"cmd":"open","socket":"s1"}               socket.connect() (again)
//   {"cmd":"close","socket":"s1"}              closes s1's whole connection: socket.io.engine.close()
//   {"cmd":"exit"}
//
// Events (the "type" field; "socket" names the client socket)
//   {"type":"ready"}                                           at start
//   {"type":"connect","socket":"s1","id":"...","engineId":"...","transport":"polling","recovered":false}
//   {"type":"connect_error","socket":"s1","message":"...","data":<any>,"hasData":true}
//   {"type":"disconnect","socket":"s1","reason":"...","description":"..."}
//   {"type":"event","socket":"s1","event":"e","args":[...],"hasAck":true,"callId":7}
//   {"type":"answered","socket":"s1","event":"e","callId":7,"args":[...]}   an ack this client sent
//   {"type":"ack","socket":"s1","ackId":"a1","args":[...]}                  the server answered
//   {"type":"ackError","socket":"s1","ackId":"a1","message":"operation has timed out"}
//   {"type":"upgrade","socket":"s1","transport":"websocket"}
//   {"type":"error","message":"..."}                                       a command failed
import { io } from "socket.io-client";
import { createInterface } from "node:readline";

function out(type, fields = {}) {
  process.stdout.write(JSON.stringify({ type, ...fields }) + "\n");
}

function isBinary(v) {
  return Buffer.isBuffer(v) || v instanceof ArrayBuffer || ArrayBuffer.isView(v);
}

function toBuffer(v) {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** Received value -> JSON with binary as {"$bin": base64}. */
function encode(v) {
  if (v === undefined || v === null) return null;
  if (isBinary(v)) return { $bin: toBuffer(v).toString("base64") };
  if (Array.isArray(v)) return v.map(encode);
  if (typeof v === "function") return { $fn: true };
  if (typeof v === "object") {
    const o = {};
    for (const [k, x] of Object.entries(v)) o[k] = encode(x);
    return o;
  }
  return v;
}

/** Command JSON -> values to emit, {"$bin": base64} becoming Buffers. */
function decode(v) {
  if (Array.isArray(v)) return v.map(decode);
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === "$bin") return Buffer.from(v.$bin, "base64");
    const o = {};
    for (const [k, x] of Object.entries(v)) o[k] = decode(x);
    return o;
  }
  return v;
}

function describe(d) {
  if (d === undefined || d === null) return null;
  if (d instanceof Error) return d.message;
  if (typeof d === "object") return d.description ? String(d.description) : JSON.stringify(d);
  return String(d);
}

/** name -> { socket, rules: Map(event -> {mode, args}) } */
const sockets = new Map();
/** callId -> { name, event, fn } for incoming events whose ack has not been sent */
const pendingCalls = new Map();
let nextCallId = 1;

function entry(name) {
  const e = sockets.get(name);
  if (!e) throw new Error("no socket named " + JSON.stringify(name));
  return e;
}

function answer(callId, args) {
  const call = pendingCalls.get(callId);
  if (!call) throw new Error("no pending call " + callId);
  pendingCalls.delete(callId);
  call.fn(...decode(args || []));
  out("answered", { socket: call.name, event: call.event, callId, args: args || [] });
}

function watch(name, socket, rules) {
  socket.on("connect", () => {
    const engine = socket.io.engine;
    out("connect", {
      socket: name,
      id: socket.id,
      engineId: engine ? engine.id : null,
      transport: engine && engine.transport ? engine.transport.name : null,
      recovered: !!socket.recovered,
    });
  });
  socket.on("connect_error", (err) => {
    out("connect_error", {
      socket: name,
      message: err && err.message !== undefined ? String(err.message) : String(err),
      data: encode(err ? err.data : undefined),
      hasData: !!err && err.data !== undefined,
    });
  });
  socket.on("disconnect", (reason, description) => {
    out("disconnect", { socket: name, reason, description: describe(description) });
  });
  socket.onAny((event, ...args) => {
    let fn = null;
    if (args.length && typeof args[args.length - 1] === "function") fn = args.pop();
    const fields = { socket: name, event, args: encode(args), hasAck: fn !== null };
    let callId = null;
    if (fn) {
      callId = nextCallId++;
      pendingCalls.set(callId, { name, event, fn });
      fields.callId = callId;
    }
    out("event", fields);
    if (fn) {
      const rule = rules.get(event) || rules.get("*") || { mode: "never" };
      if (rule.mode === "echo") answer(callId, encode(args));
      else if (rule.mode === "reply") answer(callId, rule.args || []);
    }
  });
  const engine = socket.io.engine;
  if (engine) {
    engine.on("upgrade", (t) => out("upgrade", { socket: name, transport: t.name }));
  }
}

function connect(cmd) {
  if (sockets.has(cmd.socket)) throw new Error("socket name in use: " + cmd.socket);
  const rules = new Map();
  let socket;
  if (cmd.via) {
    const base = entry(cmd.via).socket;
    socket = base.io.socket(cmd.namespace || "/", cmd.opts || {});
    if (!socket.active) socket.connect();
  } else {
    const opts = { forceNew: true, reconnection: false, ...(cmd.opts || {}) };
    socket = io(cmd.url + (cmd.namespace || "/"), opts);
  }
  sockets.set(cmd.socket, { socket, rules });
  watch(cmd.socket, socket, rules);
}

function emitWithAck(cmd) {
  const { socket } = entry(cmd.socket);
  const args = decode(cmd.args || []);
  if (cmd.timeout !== undefined && cmd.timeout !== null) {
    socket.timeout(cmd.timeout).emit(cmd.event, ...args, (err, ...res) => {
      if (err) out("ackError", { socket: cmd.socket, ackId: cmd.ackId, message: String(err.message || err) });
      else out("ack", { socket: cmd.socket, ackId: cmd.ackId, args: encode(res) });
    });
  } else {
    socket.emit(cmd.event, ...args, (...res) => out("ack", { socket: cmd.socket, ackId: cmd.ackId, args: encode(res) }));
  }
}

function handle(cmd) {
  switch (cmd.cmd) {
    case "connect":
      connect(cmd);
      break;
    case "emit":
      entry(cmd.socket).socket.emit(cmd.event, ...decode(cmd.args || []));
      break;
    case "emitWithAck":
      emitWithAck(cmd);
      break;
    case "autoAck":
      entry(cmd.socket).rules.set(cmd.event || "*", { mode: cmd.mode || "never", args: cmd.args || [] });
      // confirmed, so the test does not emit before the rule is in place (stdin and the socket race)
      out("autoAckSet", { socket: cmd.socket, event: cmd.event || "*" });
      break;
    case "answer":
      answer(cmd.callId, cmd.args);
      break;
    case "disconnect":
      entry(cmd.socket).socket.disconnect();
      break;
    case "open":
      entry(cmd.socket).socket.connect();
      break;
    case "close": {
      const engine = entry(cmd.socket).socket.io.engine;
      if (engine) engine.close();
      break;
    }
    case "exit":
      process.exit(0);
      break;
    default:
      throw new Error("unknown command " + JSON.stringify(cmd));
  }
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (!line.trim()) return;
  let cmd;
  try {
    cmd = JSON.parse(line);
    handle(cmd);
  } catch (e) {
    out("error", { socket: cmd && cmd.socket, message: "command failed: " + (e && e.stack ? e.stack : e) });
  }
});
// The Java side went away (or closed our stdin): never outlive it.
lines.on("close", () => process.exit(0));
process.on("uncaughtException", (e) => out("error", { message: "uncaught: " + (e && e.stack ? e.stack : e) }));
out("ready");
