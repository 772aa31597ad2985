package dev.parley.bench;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOServer;
import java.util.concurrent.CountDownLatch;

/**
 * The netty-socketio 2.0.14 peer of Parley's scenario server, with the handlers the benchmark uses:
 * {@code join(room)} and {@code leave(room)} ack {@code true}; {@code broadcast(room, payload)} sends
 * {@code tick(payload)} to the room and acks {@code true}; {@code broadcast-others(room, payload)}
 * does the same except the sender; {@code echo(arg)} acks its argument. Listens on
 * {@code 127.0.0.1:$PORT} (3000) with netty-socketio's default configuration otherwise.
 */
public final class NettySocketIoServer {
  private NettySocketIoServer() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "3000"));
    Configuration config = new Configuration();
    config.setHostname("127.0.0.1");
    config.setPort(port);
    config.getSocketConfig().setReuseAddress(true);
    SocketIOServer server = new SocketIOServer(config);
    server.addEventListener("join", String.class, (client, room, ack) -> {
      client.joinRoom(room);
      if (ack.isAckRequested()) {
        ack.sendAckData(true);
      }
    });
    server.addEventListener("leave", String.class, (client, room, ack) -> {
      client.leaveRoom(room);
      if (ack.isAckRequested()) {
        ack.sendAckData(true);
      }
    });
    server.addMultiTypeEventListener("broadcast", (client, data, ack) -> {
      String room = data.get(0);
      Object payload = data.get(1);
      server.getRoomOperations(room).sendEvent("tick", payload);
      if (ack.isAckRequested()) {
        ack.sendAckData(true);
      }
    }, String.class, Object.class);
    server.addMultiTypeEventListener("broadcast-others", (client, data, ack) -> {
      String room = data.get(0);
      Object payload = data.get(1);
      server.getRoomOperations(room).sendEvent("tick", client, payload);
      if (ack.isAckRequested()) {
        ack.sendAckData(true);
      }
    }, String.class, Object.class);
    server.addEventListener("echo", Object.class, (client, data, ack) -> {
      if (ack.isAckRequested()) {
        ack.sendAckData(data);
      }
    });
    server.start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.stop();
      stopped.countDown();
    }));
    System.out.println("netty-socketio listening on http://127.0.0.1:" + port + "/socket.io/");
    stopped.await();
  }
}
