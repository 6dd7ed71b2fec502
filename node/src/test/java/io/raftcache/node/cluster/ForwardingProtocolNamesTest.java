package io.raftcache.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardingProtocolNamesTest {
  @Test
  void theInternalReadsThatRunOnTheTransportThreadAreNamedAsTheProtocolNamesThem() {
    java.util.Set<String> nonBlocking = io.raftcache.node.api.ReadCallExecutor.NON_BLOCKING;
    for (var method : List.of(ForwardingProtocol.READ, ForwardingProtocol.LEADER, ForwardingProtocol.ACCESSED)) {
      assertThat(nonBlocking).contains(method.getFullMethodName());
    }
    assertThat(nonBlocking).doesNotContain(ForwardingProtocol.PROPOSE.getFullMethodName(),
        ForwardingProtocol.REMOVE.getFullMethodName());
  }
}
