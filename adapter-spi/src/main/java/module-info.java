/**
 * Parley's adapter SPI: the contract between a Socket.IO server and what delivers its broadcasts (in
 * memory, or across a cluster of servers), the default {@link dev.parley.adapter.InMemoryAdapter} and
 * the cluster base {@link dev.parley.adapter.ClusterAdapter}. Depends on the JDK only.
 *
 * <pre>{@code
 * module my.adapter {
 *   requires dev.parley.adapter; // implement Adapter, or extend ClusterAdapter
 * }
 * }</pre>
 */
module dev.parley.adapter {
  exports dev.parley.adapter;
}
