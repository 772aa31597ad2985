// The generator check for scripts/bench.sh: the fan-out scenario (CLIENTS in room "r", one sender,
// next broadcast on each ack, SECONDS long, SIZE-character payloads) received by Node with raw `ws`
// frames, to compare its CPU per received message with the Java generator's. Prints one JSON line.
// Every loop is bounded in count and time; connections spread over 127.0.0.2..127.0.0.5.
import WebSocket from "ws";

const port = Number(process.env.PORT || 3000);
const clients = Math.min(20000, Number(process.env.CLIENTS || 1000));
const seconds = Math.min(600, Number(process.env.SECONDS || 10));
const size = Number(process.env.SIZE || 100);
const url = `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`;

let received = 0;
let errors = 0;

function open(i, onTick) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { localAddress: `127.0.0.${2 + (i % 4)}`, perMessageDeflate: false });
    const acks = new Map();
    let ackId = 0;
    const conn = {
      ws,
      emit(args, onAck) { const id = ++ackId; acks.set(id, onAck); ws.send(`42${id}[${args}]`); },
    };
    const timer = setTimeout(() => { errors++; resolve(null); }, 15000);
    ws.on("message", (data) => {
      const m = data.toString();
      const t = m.charCodeAt(0);
      if (m === "2") { ws.send("3"); return; }
      if (t === 48 /* 0 */) { ws.send("40"); return; }
      if (m.startsWith("42")) { if (onTick) onTick(m); return; }
      if (m.startsWith("43")) {
        const end = m.indexOf("[");
        const id = Number(m.slice(2, end));
        const cb = acks.get(id);
        if (cb) { acks.delete(id); cb(m); }
        return;
      }
      if (m.startsWith("40")) { clearTimeout(timer); resolve(conn); }
    });
    ws.on("error", () => { errors++; clearTimeout(timer); resolve(null); });
  });
}

function payload() {
  let s = `${Math.floor(performance.now() * 1000)}|`;
  return s + "x".repeat(Math.max(0, size - s.length));
}

const onTick = () => { received++; };
const conns = [];
for (let i = 0; i < clients; i += 200) {
  const batch = [];
  for (let j = i; j < Math.min(clients, i + 200); j++) batch.push(open(j, onTick));
  for (const c of await Promise.all(batch)) if (c) conns.push(c);
}
await Promise.all(conns.map((c) => new Promise((res) => c.emit('"join","r"', res))));
const sender = await open(clients, null);

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const end = t0 + seconds * 1000;
let sent = 0;
await new Promise((resolve) => {
  const next = () => {
    if (performance.now() < end && sent < 1e6) { sent++; sender.emit(`"broadcast","r","${payload()}"`, next); }
    else resolve();
  };
  next();
});
const expected = sent * conns.length;
const drainEnd = performance.now() + 20000;
let last = -1, lastProgress = performance.now();
while (received < expected && performance.now() < drainEnd && performance.now() - lastProgress < 3000) {
  if (received !== last) { last = received; lastProgress = performance.now(); }
  await new Promise((r) => setTimeout(r, 20));
}
const cpu = process.cpuUsage(cpu0);
const elapsed = (performance.now() - t0) / 1000;
console.log(JSON.stringify({
  clients: conns.length, sent, received, lost: expected - received, errors,
  cpuMicrosPerMsg: (cpu.user + cpu.system) / Math.max(1, received),
  msgPerSec: received / elapsed,
}));
for (const c of conns) c.ws.terminate();
sender.ws.terminate();
process.exit(0);
