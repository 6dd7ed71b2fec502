package io.raftcache.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardingProtocolNamesTest {
  @Test
  void theInternalCallsThatRunOnTheTransportThreadAreNamedAsTheProtocolNamesThem() {
    java.util.Set<String> nonBlocking = io.raftcache.node.api.NonBlockingCallExecutor.NON_BLOCKING;
    for (var method : List.of(ForwardingProtocol.READ, ForwardingProtocol.PROPOSE, ForwardingProtocol.LEADER,
        ForwardingProtocol.ACCESSED)) {
      assertThat(nonBlocking).contains(method.getFullMethodName());
    }
    assertThat(nonBlocking).doesNotContain(ForwardingProtocol.REMOVE.getFullMethodName());
  }
}
