// The Node socket.io 4.8 peer of Parley's scenario server, for scripts/bench.sh.
// Same handlers as dev.parley.examples.scenario.ScenarioServer for what the benchmark uses:
// join(room) -> ack true; leave(room) -> ack true; broadcast(room, payload) -> io.to(room).emit("tick", payload), ack true;
// broadcast-others(room, payload) -> socket.to(room).emit("tick", payload), ack true; echo(...args) -> ack(...args).
// Listens on 127.0.0.1:$PORT (3000). Its PID is the node process (started directly, not through npm).
import { createServer } from "node:http";
import { Server } from "socket.io";

const port = Number(process.env.PORT || 3000);
const httpServer = createServer();
const io = new Server(httpServer, { serveClient: false, cors: { origin: "*" } });

io.on("connection", (socket) => {
  socket.on("join", (room, ack) => { socket.join(room); if (ack) ack(true); });
  socket.on("leave", (room, ack) => { socket.leave(room); if (ack) ack(true); });
  socket.on("broadcast", (room, payload, ack) => { io.to(room).emit("tick", payload); if (ack) ack(true); });
  socket.on("broadcast-others", (room, payload, ack) => { socket.to(room).emit("tick", payload); if (ack) ack(true); });
  socket.on("echo", (...args) => {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
    if (ack) ack(...args);
  });
});

httpServer.listen(port, "127.0.0.1", () => console.log(`node socket.io ${process.versions.node} listening on http://127.0.0.1:${port}/socket.io/`));
