package dev.parley.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.SocketIoServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/serving-the-client.md's server serves the client file and Socket.IO on one port. */
class ServingTheClientTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void servesTheClientFileBesideSocketIo(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("socket.io.min.js"), "/* the client bundle */");
    SocketIoServer io = SocketIoServer.builder().build();
    Server jetty = ServingClientSnippets.start(io, dir, 0);
    try {
      int port = ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
      HttpResponse<String> file = get(port, "/vendor/socket.io.min.js");
      assertThat(file.statusCode()).isEqualTo(200);
      assertThat(file.body()).isEqualTo("/* the client bundle */");
      assertThat(file.headers().firstValue("Cache-Control")).hasValue("max-age=3600");
      assertThat(get(port, "/vendor/").statusCode()).as("no directory listing").isNotEqualTo(200);
      assertThat(get(port, "/socket.io/?EIO=4&transport=polling").body()).startsWith("0{\"sid\":");
    } finally {
      jetty.stop();
      io.close();
    }
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
