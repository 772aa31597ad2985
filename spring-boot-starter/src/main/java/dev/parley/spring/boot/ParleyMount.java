package dev.parley.spring.boot;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;

/**
 * Whether the Socket.IO server was mounted in the application's web server. Boot applies the
 * starter's Jetty customizer only to a Jetty server: when the application runs on another one (Tomcat
 * came in with {@code spring-boot-starter-webmvc}), nothing would serve {@code /socket.io/}, so the
 * start-up fails here with what to change instead.
 */
public class ParleyMount implements SmartInitializingSingleton, ApplicationContextAware {
  private volatile boolean mounted;
  private ApplicationContext context;

  /** Creates the check (Spring does). */
  public ParleyMount() {}

  /** Records that the server was mounted (the Jetty customizer calls it). */
  public void mounted() {
    mounted = true;
  }

  /** Whether the server was mounted in the web server. */
  public boolean isMounted() {
    return mounted;
  }

  @Override
  public void setApplicationContext(ApplicationContext context) {
    this.context = context;
  }

  /** Fails the start-up when the application has a web server that is not Boot's Jetty. */
  @Override
  public void afterSingletonsInstantiated() {
    if (context instanceof WebServerApplicationContext web && web.getServerNamespace() == null) {
      WebServer server = web.getWebServer();
      if (server != null && !mounted) {
        throw new IllegalStateException("parley-spring-boot-starter serves Socket.IO from Boot's Jetty, but this "
            + "application runs on " + server.getClass().getSimpleName() + ": exclude spring-boot-starter-tomcat "
            + "from spring-boot-starter-webmvc (docs/spring-boot.md), or set parley.enabled=false");
      }
    }
  }
}
