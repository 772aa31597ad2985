/**
 * The server side of the official Socket.IO admin UI, {@link dev.parley.admin.AdminUi}. The bcrypt
 * library has no module name of its own: its jar's name gives the automatic module {@code bcrypt}.
 * Lettuce is needed only for {@link dev.parley.admin.RedisSessionStore}: a module that uses it
 * requires {@code lettuce.core} itself (as {@code dev.parley.adapter.redis} does, transitively).
 *
 * <pre>{@code
 * module my.app {
 *   requires dev.parley.transport.jetty;
 *   requires dev.parley.admin;
 * }
 * }</pre>
 */
@SuppressWarnings({"requires-automatic"}) // bcrypt, lettuce.core: said above
module dev.parley.admin {
  requires transitive dev.parley.core;
  requires bcrypt;
  requires static lettuce.core;
  requires java.management;
  requires org.slf4j;

  exports dev.parley.admin;
}
