package dev.parley.examples.docs;

// tag::serve-imports[]
import dev.parley.SocketIoServer;
import dev.parley.transport.jetty.ParleyHandler;
import java.nio.file.Path;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.resource.ResourceFactory;
// end::serve-imports[]

/**
 * The code of {@code docs/serving-the-client.md}, compiled with the project and run by
 * {@code ServingTheClientTest}.
 *
 * <pre>{@code
 * Server jetty = ServingClientSnippets.start(io, Path.of("web/vendor"), 3000);
 * }</pre>
 */
public final class ServingClientSnippets {
  private ServingClientSnippets() {}

  /**
   * Starts Jetty on {@code port} with Parley on {@code /socket.io/} and the files of {@code clientDir}
   * under {@code /vendor/}.
   */
  // tag::serve-files[]
  public static Server start(SocketIoServer io, Path clientDir, int port) throws Exception {
    Server jetty = new Server();
    ServerConnector http = new ServerConnector(jetty);
    http.setPort(port);
    jetty.addConnector(http);

    // /vendor/socket.io.min.js (and its .map) from a folder, cached by browsers for an hour
    ResourceHandler files = new ResourceHandler();
    files.setBaseResource(ResourceFactory.of(files).newResource(clientDir));
    files.setDirAllowed(false);
    files.setCacheControl("max-age=3600");
    ContextHandler vendor = new ContextHandler(files, "/vendor");

    jetty.setHandler(new Handler.Sequence(new ParleyHandler(io), vendor));
    jetty.start();
    return jetty;
  }
  // end::serve-files[]

  /** The same with the files from the class path ({@code src/main/resources/static/vendor}). */
  // tag::serve-classpath[]
  public static ResourceHandler fromClassPath(Server jetty) {
    ResourceHandler files = new ResourceHandler();
    files.setBaseResource(ResourceFactory.of(jetty).newClassLoaderResource("static/vendor"));
    files.setDirAllowed(false);
    return files;
  }
  // end::serve-classpath[]
}
