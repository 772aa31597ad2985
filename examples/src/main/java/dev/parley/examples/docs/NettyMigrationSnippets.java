package dev.parley.examples.docs;

import dev.parley.Socket;
import dev.parley.SocketIoServer;
import dev.parley.transport.jetty.ParleyHandler;
import java.time.Duration;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;

/**
 * Short snippets of {@code docs/migrating-from-netty-socketio.md}, compiled with the project.
 *
 * <pre>{@code
 * NettyMigrationSnippets.mount(io, myApp); // never called: it only has to compile
 * }</pre>
 */
final class NettyMigrationSnippets {
  private NettyMigrationSnippets() {}

  static void mount(SocketIoServer io, Handler myApp) throws Exception {
    // tag::mount[]
    Server jetty = new Server(8080);                      // your application's server and port
    jetty.setHandler(new Handler.Sequence(new ParleyHandler(io), myApp));
    jetty.start();                                        // /socket.io/ goes to Parley, the rest to myApp
    // end::mount[]
  }

  static void ackWithTimeout(Socket socket) {
    // tag::ack-timeout[]
    socket.timeout(Duration.ofSeconds(5)).emitWithAck("question", "are you there?")
        .whenComplete((answer, error) -> {
          if (error != null) {                            // AckTimeoutException or SocketDisconnectedException
            System.out.println("no answer: " + error.getMessage());
          } else {
            System.out.println("answer: " + answer.get(0, String.class));
          }
        });
    // end::ack-timeout[]
  }
}
