package io.raftcache.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftcache.proto.v1.AdminGrpc;
import io.raftcache.proto.v1.CacheGrpc;
import org.junit.jupiter.api.Test;

class NonBlockingCallExecutorTest {
  @Test
  void readsAndSinglePartitionWritesSkipTheExecutorAndTheirNamesAreTheServicesOwn() {
    assertThat(NonBlockingCallExecutor.NON_BLOCKING).contains(CacheGrpc.getGetMethod().getFullMethodName(),
        CacheGrpc.getGetMultiMethod().getFullMethodName(), CacheGrpc.getSetMethod().getFullMethodName(),
        CacheGrpc.getSetMultiMethod().getFullMethodName(), CacheGrpc.getDeleteMethod().getFullMethodName(),
        CacheGrpc.getDeleteMultiMethod().getFullMethodName(), CacheGrpc.getTouchMethod().getFullMethodName(),
        CacheGrpc.getIncrementMethod().getFullMethodName(), CacheGrpc.getCompareAndSetMethod().getFullMethodName());
    // Tag removal waits for its proposals, admin calls for PostgreSQL.
    assertThat(NonBlockingCallExecutor.NON_BLOCKING).doesNotContain(
        CacheGrpc.getInvalidateTagMethod().getFullMethodName(), AdminGrpc.getFlushMethod().getFullMethodName());
  }
}
