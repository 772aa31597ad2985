package dev.parley.spring.boot.app;

import dev.parley.Socket;
import dev.parley.SocketIoServer;
import dev.parley.spring.boot.OnEvent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The application of the "done means": Boot with Jetty, Actuator, the Prometheus registry and
 * the starter, one component that registers an echo handler, and an MVC endpoint beside it.
 */
@SpringBootApplication
public class EchoApplication {
  public static void main(String[] args) {
    SpringApplication.run(EchoApplication.class, args);
  }

  /** Registers the handlers on the injected server. */
  @Component
  static class Echo {
    Echo(SocketIoServer io) {
      io.onConnection(socket -> {
        socket.on("echo", (args, ack) -> ack.send(args.get(0)));
        socket.on("shout", (args, ack) -> io.emit("shouted", args.get(0)));
      });
    }
  }

  /** Handlers as annotated methods. */
  @Component
  static class Greeter {
    record Greeting(String name, int times) {}

    @OnEvent("greet")
    String greet(Greeting greeting) {
      return ("hello " + greeting.name() + " ").repeat(greeting.times()).strip();
    }

    @OnEvent("whoami")
    CompletionStage<String> whoami(Socket socket) {
      return CompletableFuture.supplyAsync(socket::id);
    }

    @OnEvent(value = "add", namespace = "/math")
    int add(int a, int b) {
      return a + b;
    }
  }

  /** The application's own HTTP endpoint, on the same port. */
  @RestController
  static class Hello {
    @GetMapping("/hello")
    String hello() {
      return "hello";
    }
  }
}
