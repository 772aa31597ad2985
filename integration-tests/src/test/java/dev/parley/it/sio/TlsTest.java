package dev.parley.it.sio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.transport.jetty.ParleyHandler;
import dev.parley.transport.jetty.ParleyJetty;
import dev.parley.transport.jetty.WebSocketPath;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code ParleyJetty.Options.tls}: HTTPS and {@code wss://} on the embedded server, with a key made
 * for the test (keytool, a certificate for 127.0.0.1). The official JS client verifies the server
 * against that certificate ({@code ca}) over polling, WebSocket and the upgrade, on both WebSocket
 * paths; a client that does not trust it is refused by the TLS handshake.
 */
class TlsTest {
  @TempDir static Path keys;
  private static Path keyStore;
  private static String certificatePem;
  private SioServer server;
  private SioClients clients;

  @BeforeAll
  static void makeKey() throws Exception {
    keyStore = keys.resolve("server.p12");
    keytool("-genkeypair", "-alias", "parley", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
        "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
        "-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", "secret", "-keypass", "secret");
    Path pem = keys.resolve("server.pem");
    keytool("-exportcert", "-rfc", "-alias", "parley", "-keystore", keyStore.toString(), "-storepass", "secret",
        "-file", pem.toString());
    certificatePem = Files.readString(pem);
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
    assertThat(p.exitValue()).as("keytool: " + out).isZero();
  }

  static Stream<Arguments> pathsAndModes() {
    List<Arguments> all = new ArrayList<>();
    for (WebSocketPath path : List.of(WebSocketPath.PUBLIC, WebSocketPath.FAST)) {
      for (TransportMode mode : TransportMode.values()) {
        all.add(Arguments.of(path, mode));
      }
    }
    return all.stream();
  }

  private void start(WebSocketPath path) {
    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setKeyStorePath(keyStore.toString());
    tls.setKeyStorePassword("secret");
    tls.setKeyStoreType("PKCS12");
    server = SioServer.start(b -> {}, ParleyJetty.Options.builder()
        .tls(tls)
        .handler(ParleyHandler.Options.builder().webSocketPath(path).build())
        .build());
    clients = new SioClients(server);
    server.io().onConnection(s -> s.on("echo", (args, ack) -> ack.send(args.values().toArray())));
  }

  @AfterEach
  void stop() {
    try {
      if (clients != null) {
        clients.close();
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  @ParameterizedTest(name = "{0} path, {1}")
  @MethodSource("pathsAndModes")
  void theOfficialJsClientConnectsOverTls(WebSocketPath path, TransportMode mode) {
    start(path);
    assertThat(server.url()).startsWith("https://");
    ClientSocket client = clients.connectNode(mode, "/", Map.of("ca", certificatePem));

    byte[] bytes = {0, 1, (byte) 0xFF};
    List<JsonNode> answer = client.emitWithAck("echo", "über TLS", bytes).await();
    assertThat(answer.get(0).asText()).isEqualTo("über TLS");
    assertThat(SioJson.bytes(answer.get(1))).isEqualTo(bytes);
    assertThat(server.socket(client.id()).handshake().secure()).as("handshake.secure").isTrue();
  }

  @Test
  void aClientThatDoesNotTrustTheCertificateIsRefused() throws Exception {
    start(WebSocketPath.PUBLIC);
    HttpRequest handshake = HttpRequest.newBuilder(URI.create(server.url() + "/socket.io/?EIO=4&transport=polling")).build();
    try {
      HttpClient.newHttpClient().send(handshake, HttpResponse.BodyHandlers.ofString());
      throw new AssertionError("the handshake succeeded without trusting the certificate");
    } catch (SSLHandshakeException expected) {
      // the JDK's default trust store does not know the test's certificate
    }

    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(keyStore)) {
      trust.load(in, "secret".toCharArray());
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    HttpResponse<String> trusted = HttpClient.newBuilder().sslContext(ssl).build()
        .send(handshake, HttpResponse.BodyHandlers.ofString());
    assertThat(trusted.body()).startsWith("0{\"sid\":");
  }
}
