package dev.parley.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.adapter.testkit.AdapterContractTest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The in-memory adapter keeps the adapter contract, and is a cluster of one. */
class InMemoryAdapterTest extends AdapterContractTest {
  @Override
  protected Adapter create(AdapterContext context) {
    return new InMemoryAdapter(context);
  }

  @Test
  void serverSideEmitReachesNoOtherServerAndNotThisOne() throws Exception {
    adapter.serverSideEmit(List.of("hello"));
    assertThat(context.serverSideEvents()).as("the sender's own listeners are not called").isEmpty();
    assertThat(adapter.serverSideEmitWithAck(List.of("hello")).toCompletableFuture().get(1, TimeUnit.SECONDS))
        .isEmpty();
    assertThat(context.serverSideEvents()).isEmpty();
    assertThat(adapter.serverCount()).isEqualTo(1);
  }

  @Test
  void hasNoMultiNodeContract() {
    assertThat(cluster(3)).isEmpty();
  }
}
