package dev.parley.examples.adapter;

import dev.parley.adapter.Adapter;
import dev.parley.adapter.AdapterContext;
import dev.parley.adapter.testkit.AdapterContractTest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** The example adapter of docs/custom-adapter.md keeps the contract, on one server and on three. */
// tag::contract[]
class InProcessBusAdapterTest extends AdapterContractTest {
  private final List<InProcessBusAdapter.Bus> buses = new ArrayList<>();

  @Override
  protected Adapter create(AdapterContext context) {
    return newBus().factory().create(context);       // alone on a bus of its own
  }

  @Override
  protected List<Adapter.Factory> cluster(int servers) {
    return Collections.nCopies(servers, newBus().factory()); // every server on one bus
  }

  private InProcessBusAdapter.Bus newBus() {
    InProcessBusAdapter.Bus bus = new InProcessBusAdapter.Bus();
    buses.add(bus);
    return bus;
  }

  @AfterEach
  void closeBuses() {
    buses.forEach(InProcessBusAdapter.Bus::close);
  }
}
// end::contract[]
