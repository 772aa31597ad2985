// Connects with `ws`, for scripts/bench.sh: CLIENTS WebSocket clients (as the official Node client
// connects: `ws`, no per-message deflate), at most INFLIGHT handshakes at a time (default: all at
// once, the connect storm), each answering the Engine.IO open with `40` and, when JOIN is 1 (the
// default), emitting join("s<i % 100>") with an ack once the namespace connect is answered. Prints
// one JSON line when every client is done (joined, or connected when JOIN=0) or failed, or at
// TIMEOUT seconds: clients, done, failed, errors, seconds (first connect to the last one done), reasons
// (why clients failed, counted), generatorCpuMicros (this process's CPU until then);
// then closes every socket after a second and exits. Every loop is bounded in count and time;
// connections spread over 127.0.0.2..127.0.0.(1+SOURCES).
import WebSocket from "ws";

const port = Number(process.env.PORT || 3000);
const clients = Math.min(20000, Number(process.env.CLIENTS || 1000));
const inflight = Math.max(1, Math.min(clients, Number(process.env.INFLIGHT || clients)));
const timeout = Math.min(300, Number(process.env.TIMEOUT || 60));
const join = (process.env.JOIN || "1") === "1";
const sources = Math.max(1, Math.min(250, Number(process.env.SOURCES || 4)));
const rooms = 100;
const url = `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`;

const sockets = [];
let started = 0, active = 0, done = 0, failed = 0, errors = 0, last = 0, reported = false;
const reasons = {}; // why clients failed: error code or message, close code, refusal; counted
const because = (why) => { reasons[why] = (reasons[why] || 0) + 1; };
const t0 = performance.now();
const cpu0 = process.cpuUsage();

function report() {
  if (reported) return;
  reported = true;
  clearTimeout(giveUp);
  console.log(JSON.stringify({
    clients, done, failed: clients - done, errors, seconds: done === 0 ? null : (last - t0) / 1000, reasons,
    generatorCpuMicros: (({ user, system }) => user + system)(process.cpuUsage(cpu0)),
  }));
  setTimeout(() => {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }, 1000);
}

function pump() {
  while (active < inflight && started < clients && !reported) {
    active++;
    open(started++);
  }
}

function open(i) {
  const ws = new WebSocket(url, {
    localAddress: `127.0.0.${2 + (i % sources)}`, perMessageDeflate: false, handshakeTimeout: timeout * 1000,
  });
  sockets.push(ws);
  let finished = false;
  const finish = (ok) => {
    if (finished) return;
    finished = true;
    active--;
    if (ok) { done++; last = performance.now(); } else failed++;
    if (done + failed === clients) report(); else pump();
  };
  ws.on("message", (data) => {
    const m = data.toString();
    if (m === "2") { ws.send("3"); return; }
    if (m.charCodeAt(0) === 48 /* 0: Engine.IO open */) { ws.send("40"); return; }
    if (m.startsWith("40")) {
      if (join) ws.send(`421["join","s${i % rooms}"]`); else finish(true);
      return;
    }
    if (m.startsWith("431")) { finish(true); return; }
    if (m.startsWith("44") || m.charCodeAt(0) === 49 /* 1: Engine.IO close */) {
      errors++;
      if (!finished) because(`refused: ${m.slice(0, 60)}`);
      finish(false);
    }
  });
  ws.on("error", (e) => {
    errors++;
    if (!finished) because(`error: ${e.code || e.message}`);
    finish(false);
  });
  ws.on("close", (code) => {
    if (!finished) because(`closed: ${code}`);
    finish(false);
  });
}

const giveUp = setTimeout(report, timeout * 1000);
pump();
