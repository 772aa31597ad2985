package dev.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** The JDK HTTP client set up for the tests (HTTP/1.1 only: no h2c upgrade headers), with shortcuts. */
final class Http {
  static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  static final String RS = "\u001e";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Http() {}

  static HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(TIMEOUT);
  }

  static HttpResponse<String> send(HttpRequest request) {
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  static CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest request) {
    return CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  static HttpResponse<String> get(URI uri) {
    return send(request(uri).GET().build());
  }

  static HttpResponse<String> post(URI uri, String body) {
    return send(request(uri).header("Content-Type", "text/plain;charset=UTF-8")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
  }

  static HttpResponse<String> method(URI uri, String method, String body) {
    return send(request(uri).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
  }

  static String contentType(HttpResponse<?> response) {
    return response.headers().firstValue("Content-Type").orElse(null);
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  /** Asserts an Engine.IO error answer: status, {@code application/json} and the exact body. */
  static void assertError(HttpResponse<String> response, int status, int code, String message) {
    assertThat(response.statusCode()).as("status of %s, body %s", response.request().uri(), response.body())
        .isEqualTo(status);
    assertThat(contentType(response)).isEqualTo("application/json");
    assertThat(response.body()).isEqualTo("{\"code\":" + code + ",\"message\":\"" + message + "\"}");
  }

  /** A polling handshake; asserts the open packet and returns it. */
  static Handshake handshake(TestServer server) {
    HttpResponse<String> r = get(server.uri("EIO=4&transport=polling"));
    assertThat(r.statusCode()).as("handshake body %s", r.body()).isEqualTo(200);
    return Handshake.parse(r);
  }

  /** A parsed open packet {@code 0{...}} and the response that carried it. */
  record Handshake(String sid, JsonNode json, HttpResponse<String> response) {
    static Handshake parse(HttpResponse<String> r) {
      assertThat(r.body()).startsWith("0{");
      JsonNode json = Http.json(r.body().substring(1));
      return new Handshake(json.get("sid").asText(), json, r);
    }
  }
}
