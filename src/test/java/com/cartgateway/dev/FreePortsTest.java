package com.cartgateway.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

  @Test
  void aClusterNodesBusPortIsBelowTheEphemeralRangeAndNeverAnotherServicesPort()
      throws IOException {
    int ephemeralStart;
    try (BufferedReader reader =
        Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
      ephemeralStart = Integer.parseInt(reader.readLine().trim().split("\\s+")[0]);
    }
    // Where the range starts too low for a bus port below it, FreePorts takes any free pair.
    assumeTrue(ephemeralStart - FreePorts.CLUSTER_BUS_OFFSET > 21_000);
    Set<Integer> taken = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      int node = FreePorts.nextWithClusterBus();
      int bus = node + FreePorts.CLUSTER_BUS_OFFSET;
      assertThat(bus).isLessThan(ephemeralStart);
      assertThat(taken.add(node)).isTrue();
      assertThat(taken.add(bus)).isTrue();
      assertThat(taken.add(FreePorts.next())).isTrue();
    }
  }
}
