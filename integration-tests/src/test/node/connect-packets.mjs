// socket.io-client's own test "should not emit a packet twice in the 'connect' handler" (test/retry.ts),
// run TRIES times in a row against a server whose "echo" event acks its argument.
// Usage: node connect-packets.mjs <url> <tries>
// Prints one JSON line per try: {"sent":[...],"received":[...]} as the client saw them in its first 100 ms.
import { io } from "socket.io-client";

const [url, tries = "1"] = process.argv.slice(2);
for (let i = 0; i < Number(tries); i++) {
  await new Promise((resolve) => {
    const socket = io(url, { forceNew: true, retries: 3 });
    const sent = [];
    const received = [];
    socket.io.engine.on("packetCreate", ({ data }) => sent.push(data));
    socket.io.engine.on("packet", ({ data }) => received.push(data));
    socket.on("connect", () => socket.emit("echo", null));
    setTimeout(() => {
      process.stdout.write(JSON.stringify({ sent, received }) + "\n");
      socket.disconnect();
      resolve();
    }, 100);
  });
}
process.exit(0);
