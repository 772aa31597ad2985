package dev.parley.examples.docs;

// tag::tls-imports[]
import dev.parley.SocketIoServer;
import dev.parley.transport.jetty.ParleyHandler;
import dev.parley.transport.jetty.ParleyJetty;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
// end::tls-imports[]

/**
 * The code of {@code docs/tls.md}, compiled with the project ({@code DocsSnippetsTest}); the
 * integration test {@code TlsTest} runs the embedded form with the official JS client.
 *
 * <pre>{@code
 * TlsSnippets.embedded(io); // never called: it only has to compile
 * }</pre>
 */
@SuppressWarnings("unused")
final class TlsSnippets {
  private TlsSnippets() {}

  static ParleyJetty.Running embedded(SocketIoServer io) {
    // tag::tls-embedded[]
    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setKeyStorePath("/etc/myapp/keystore.p12");          // the key and its certificate chain
    tls.setKeyStorePassword(System.getenv("KEYSTORE_PASSWORD"));

    ParleyJetty.Running running = ParleyJetty.listen(io, null, 8443,
        ParleyJetty.Options.builder().tls(tls).build());      // https:// and wss:// on 8443
    // end::tls-embedded[]
    return running;
  }

  static Server ownServer(SocketIoServer io, Handler myApp) throws Exception {
    // tag::tls-own-server[]
    Server jetty = new Server();

    HttpConfiguration https = new HttpConfiguration();
    https.addCustomizer(new SecureRequestCustomizer());      // request.isSecure(), handshake().secure()
    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setKeyStorePath("/etc/myapp/keystore.p12");
    tls.setKeyStorePassword(System.getenv("KEYSTORE_PASSWORD"));
    ServerConnector secure = new ServerConnector(jetty,
        new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(https));
    secure.setPort(8443);
    jetty.addConnector(secure);

    ServerConnector plain = new ServerConnector(jetty);     // optional: plain HTTP beside it
    plain.setPort(8080);
    jetty.addConnector(plain);

    jetty.setHandler(new Handler.Sequence(new ParleyHandler(io), myApp));
    jetty.start();
    // end::tls-own-server[]
    return jetty;
  }

  static Server behindProxy(SocketIoServer io) throws Exception {
    // tag::tls-proxy[]
    HttpConfiguration http = new HttpConfiguration();
    http.addCustomizer(new ForwardedRequestCustomizer());    // trust X-Forwarded-* from the proxy
    Server jetty = new Server();
    ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");                          // only the proxy reaches it
    connector.setPort(8080);
    jetty.addConnector(connector);
    jetty.setHandler(new ParleyHandler(io));
    jetty.start();
    // end::tls-proxy[]
    return jetty;
  }
}
