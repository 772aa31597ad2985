// CPU of cluster nodes at rest and per broadcast (docs/performance.md, "Cluster nodes: CPU at rest and per
// broadcast"). Connects --clients raw WebSocket Socket.IO clients spread evenly over --ports (servers already
// running: Parley's scenario server or server.mjs), each joins room "r"; after --settle seconds it reads
// utime+stime of --pids (/proc/<pid>/stat, one PID per port) over --rest seconds (clients connected, nothing
// sent), then one more client on the first port sends broadcast("r", payload) --rate times a second for --secs
// seconds (after --warm seconds of the same, unrecorded) and the CPU is read again over that phase (plus a short
// drain). Prints one JSON line.
//   node cluster-cpu.mjs --ports 3001,3002 --pids 123,456 --clients 100 --rest 30 --rate 50 --secs 30 --warm 30
// Bounded: every phase has a deadline; the process exits at the end.
import { readFileSync } from "node:fs";
import WebSocket from "ws";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1];
};
const ports = arg("ports", "3000").split(",").map(Number);
const pids = arg("pids", "").split(",").filter(Boolean).map(Number);
const clients = Number(arg("clients", "100"));
const settle = Number(arg("settle", "5"));
const rest = Number(arg("rest", "30"));
const rate = Number(arg("rate", "0"));
const secs = Number(arg("secs", "30"));
const warm = Number(arg("warm", "0"));
const HZ = 100; // USER_HZ on Linux

const cpuTicks = (pid) => {
  const s = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
  return Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
};
const cpuAll = () => pids.map(cpuTicks);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let delivered = 0;
const open = (port) => new Promise((resolve, reject) => {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
  const timer = setTimeout(() => reject(new Error(`connect timeout on ${port}`)), 20000);
  ws.on("message", (data) => {
    const m = data.toString();
    if (m === "2") ws.send("3");
    else if (m.startsWith("0")) ws.send("40");
    else if (m.startsWith("40")) ws.send('421["join","r"]');
    else if (m.startsWith("431")) { clearTimeout(timer); resolve(ws); }
    else if (m.startsWith('42["tick"')) delivered++;
  });
  ws.on("error", reject);
});

const conns = [];
for (let i = 0; i < clients; i += 32) {
  const batch = [];
  for (let j = i; j < Math.min(clients, i + 32); j++) batch.push(open(ports[j % ports.length]));
  conns.push(...(await Promise.all(batch)));
}
await sleep(settle * 1000);
const t0 = process.hrtime.bigint();
const c0 = cpuAll();
await sleep(rest * 1000);
const c1 = cpuAll();
const restSecs = Number(process.hrtime.bigint() - t0) / 1e9;
const restMsPerSec = c1.map((c, i) => ((c - c0[i]) * 1000 / HZ) / restSecs);

let out = { ports, clients, restSecs: +restSecs.toFixed(1), restMsPerSec: restMsPerSec.map((x) => +x.toFixed(1)) };
if (rate > 0) {
  const sender = await open(ports[0]);
  const payload = "x".repeat(100);
  const send = async (count) => {
    const start = Number(process.hrtime.bigint());
    for (let i = 1; i <= count; i++) {
      sender.send(`42["broadcast","r","${payload}"]`);
      const wait = (start + (i * 1e9) / rate - Number(process.hrtime.bigint())) / 1e6;
      if (wait > 0) await sleep(wait);
    }
    return count;
  };
  if (warm > 0) await send(Math.round(rate * warm)); // unrecorded
  await sleep(2000);
  delivered = 0;
  const b0 = cpuAll();
  const s0 = process.hrtime.bigint();
  const sent = await send(Math.round(rate * secs));
  const expected = sent * (clients + 1); // the sender joined the room too
  const deadline = Date.now() + 10000;
  while (delivered < expected && Date.now() < deadline) await sleep(100);
  const b1 = cpuAll();
  const phase = Number(process.hrtime.bigint() - s0) / 1e9;
  const cpuMs = b1.map((c, i) => (c - b0[i]) * 1000 / HZ);
  const total1 = cpuMs.reduce((a, b) => a + b, 0);
  const restTotal = restMsPerSec.reduce((a, b) => a + b, 0) * phase;
  out = {
    ...out, rate, sent, expected, delivered, phaseSecs: +phase.toFixed(1),
    cpuMs, usPerDelivered: +((total1 * 1000) / delivered).toFixed(1),
    usPerDeliveredMinusRest: +(((total1 - restTotal) * 1000) / delivered).toFixed(1),
  };
  sender.terminate();
}
console.log(JSON.stringify(out));
for (const ws of conns) ws.terminate();
process.exit(0);
