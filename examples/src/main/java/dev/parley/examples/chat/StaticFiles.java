package dev.parley.examples.chat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves the chat page's few files, each mapped by name (nothing else on disk is reachable); the
 * socket.io-client browser bundle comes from the npm dependency in {@code chat-web/node_modules}.
 */
final class StaticFiles extends Handler.Abstract {
  private final Map<String, Path> files;

  StaticFiles(Path webDir) {
    this.files = Map.of(
        "/", webDir.resolve("public/index.html"),
        "/index.html", webDir.resolve("public/index.html"),
        "/chat.js", webDir.resolve("public/chat.js"),
        "/chat.css", webDir.resolve("public/chat.css"),
        "/favicon.svg", webDir.resolve("public/favicon.svg"),
        "/favicon.ico", webDir.resolve("public/favicon.svg"), // browsers that ask the old way get the SVG
        "/vendor/socket.io.min.js", bundle(webDir));
  }

  /** Where npm puts the official browser client. */
  static Path bundle(Path webDir) {
    return webDir.resolve("node_modules/socket.io-client/dist/socket.io.min.js");
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    Path file = files.get(Request.getPathInContext(request));
    if (file == null || !"GET".equals(request.getMethod()) || !Files.isRegularFile(file)) {
      return false;
    }
    String name = file.getFileName().toString();
    String type = name.endsWith(".html") ? "text/html; charset=utf-8"
        : name.endsWith(".css") ? "text/css; charset=utf-8"
        : name.endsWith(".svg") ? "image/svg+xml" : "text/javascript; charset=utf-8";
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    response.write(true, ByteBuffer.wrap(Files.readAllBytes(file)), callback);
    return true;
  }
}
