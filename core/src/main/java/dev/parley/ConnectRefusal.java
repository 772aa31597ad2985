package dev.parley;

/**
 * Why a client's CONNECT to a namespace was answered with a {@code CONNECT_ERROR}: what
 * {@link ServerObserver#onConnectRefused} receives and {@link ServerStats#connectRefusals(ConnectRefusal)}
 * counts. The connection itself stays up; the client may connect to another namespace.
 *
 * <pre>{@code
 * long unauthorized = io.stats().connectRefusals(ConnectRefusal.MIDDLEWARE);
 * }</pre>
 */
public enum ConnectRefusal {
  /**
   * A connect middleware refused it ({@code next.fail(..)}, a thrown {@link ConnectError}, or an
   * exception, which is also reported to the error handler).
   */
  MIDDLEWARE,
  /** No namespace has that name and no dynamic namespace pattern matches it ({@code "Invalid namespace"}). */
  INVALID_NAMESPACE,
  /**
   * A dynamic namespace matched, but {@code maxDynamicNamespaces} children exist already
   * ({@code "Too many namespaces"}).
   */
  TOO_MANY_NAMESPACES
}
