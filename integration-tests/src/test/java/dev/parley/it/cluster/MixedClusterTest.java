package dev.parley.it.cluster;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Node.js socket.io 4.8.4 server on {@code @socket.io/redis-adapter} 8.3.0 and a Parley server on the
 * Redis adapter, on the same Redis and key prefix, each with a Node and a Java client: every cluster
 * operation in both directions (from Parley towards the Node side, and from Node towards Parley).
 */
class MixedClusterTest extends ClusterScenarios {
  @Override
  Member[] start(boolean fromNode) throws Exception {
    Member parley = Member.parley(new ParleyNode("parley", key));
    Member node;
    try {
      node = Member.node(new NodeServer(key));
    } catch (Exception | Error e) {
      parley.close();
      throw e;
    }
    return fromNode ? new Member[] {node, parley} : new Member[] {parley, node};
  }

  @ParameterizedTest(name = "from {0}")
  @ValueSource(strings = {"parley", "node"})
  void broadcastsToAndExcept(String from) throws Exception {
    setUp(from.equals("node"));
    broadcastsToAndExceptAcrossServers();
  }

  @ParameterizedTest(name = "from {0}")
  @ValueSource(strings = {"parley", "node"})
  void socketsJoinLeaveAndDisconnect(String from) throws Exception {
    setUp(from.equals("node"));
    socketsJoinLeaveAndDisconnectAcrossServers();
  }

  @ParameterizedTest(name = "from {0}")
  @ValueSource(strings = {"parley", "node"})
  void fetchSocketsAndRemoteHandles(String from) throws Exception {
    setUp(from.equals("node"));
    fetchSocketsSeesRemoteSocketsAndItsHandlesWork();
  }

  @ParameterizedTest(name = "from {0}")
  @ValueSource(strings = {"parley", "node"})
  void serverSideEmitAndBroadcastAcks(String from) throws Exception {
    setUp(from.equals("node"));
    serverSideEmitAndBroadcastsWithAcksAcrossServers();
  }
}
