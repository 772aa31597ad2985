package dev.parley.it.cluster;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two Parley servers on the Redis adapter (real Redis on 127.0.0.1:6379, a key prefix per test), each
 * with a Node and a Java client: every cluster operation, from either server.
 */
class ParleyClusterTest extends ClusterScenarios {
  @Override
  Member[] start(boolean reversed) {
    Member a = Member.parley(new ParleyNode("A", key));
    Member b;
    try {
      b = Member.parley(new ParleyNode("B", key));
    } catch (RuntimeException e) {
      a.close();
      throw e;
    }
    return reversed ? new Member[] {b, a} : new Member[] {a, b};
  }

  @ParameterizedTest(name = "from {0}")
  @ValueSource(strings = {"A", "B"})
  void broadcastsToAndExcept(String from) throws Exception {
    setUp(from.equals("B"));
    broadcastsToAndExceptAcrossServers();
  }

  @ParameterizedTest(name = "from {0}")
  @ValueSource(strings = {"A", "B"})
  void socketsJoinLeaveAndDisconnect(String from) throws Exception {
    setUp(from.equals("B"));
    socketsJoinLeaveAndDisconnectAcrossServers();
  }

  @ParameterizedTest(name = "from {0}")
  @ValueSource(strings = {"A", "B"})
  void fetchSocketsAndRemoteHandles(String from) throws Exception {
    setUp(from.equals("B"));
    fetchSocketsSeesRemoteSocketsAndItsHandlesWork();
  }

  @ParameterizedTest(name = "from {0}")
  @ValueSource(strings = {"A", "B"})
  void serverSideEmitAndBroadcastAcks(String from) throws Exception {
    setUp(from.equals("B"));
    serverSideEmitAndBroadcastsWithAcksAcrossServers();
  }
}
