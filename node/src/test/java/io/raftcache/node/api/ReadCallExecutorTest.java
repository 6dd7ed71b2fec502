package io.raftcache.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftcache.proto.v1.AdminGrpc;
import io.raftcache.proto.v1.CacheGrpc;
import org.junit.jupiter.api.Test;

class ReadCallExecutorTest {
  @Test
  void onlyReadsSkipTheExecutorAndTheirNamesAreTheServicesOwn() {
    assertThat(ReadCallExecutor.NON_BLOCKING).contains(CacheGrpc.getGetMethod().getFullMethodName(),
        CacheGrpc.getGetMultiMethod().getFullMethodName());
    // Writes can wait for eviction, tag removal for its proposals, admin calls for PostgreSQL.
    assertThat(ReadCallExecutor.NON_BLOCKING).doesNotContain(CacheGrpc.getSetMethod().getFullMethodName(),
        CacheGrpc.getSetMultiMethod().getFullMethodName(), CacheGrpc.getInvalidateTagMethod().getFullMethodName(),
        AdminGrpc.getFlushMethod().getFullMethodName());
  }
}
