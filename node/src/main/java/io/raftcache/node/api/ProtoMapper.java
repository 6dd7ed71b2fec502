package io.raftcache.node.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.raftcache.node.partition.ReadResult;
import io.raftcache.node.partition.WriteResult;
import io.raftcache.node.statemachine.Outcome;
import io.raftcache.proto.v1.CompareAndSetResponse;
import io.raftcache.proto.v1.DeleteResponse;
import io.raftcache.proto.v1.GetResponse;
import io.raftcache.proto.v1.IncrementResponse;
import io.raftcache.proto.v1.ServedBy;
import io.raftcache.proto.v1.SetResponse;
import io.raftcache.proto.v1.TouchResponse;

/** Maps read results and write outcomes to response messages. */
final class ProtoMapper {
  private final String nodeId;

  ProtoMapper(String nodeId) {
    this.nodeId = nodeId;
  }

  ServedBy servedBy(int partition) {
    return ServedBy.newBuilder().setNodeId(nodeId).setPartition(partition).build();
  }

  /** Where a read came from: this node's replica, or another node's that it was forwarded to. */
  ServedBy servedBy(ReadResult r) {
    return r.servedBy() == null ? servedBy(r.partition())
        : ServedBy.newBuilder().setNodeId(r.servedBy()).setPartition(r.partition()).setForwarded(true).build();
  }

  GetResponse getResponse(ReadResult r) {
    GetResponse.Builder b = GetResponse.newBuilder().setServedBy(servedBy(r));
    if (r.found()) {
      // The payload array is a fresh copy owned by this response, so wrapping it without a copy is safe.
      b.setFound(true)
          .setValue(UnsafeByteOperations.unsafeWrap(r.value()))
          .setVersion(r.version())
          .setTtlRemainingMs(r.ttlRemainingMillis())
          .addAllTags(r.tags());
    }
    return b.build();
  }

  SetResponse setResponse(WriteResult w) {
    SetResponse.Builder b = SetResponse.newBuilder().setServedBy(servedBy(w.partition()));
    if (w.outcome() instanceof Outcome.Written written) {
      return b.setApplied(true).setVersion(written.version())
          .setTtlRemainingMs(w.ttlRemaining(written.expireAtMillis(), true)).build();
    }
    Outcome.Unchanged unchanged = (Outcome.Unchanged) w.outcome();
    return b.setApplied(false).setVersion(unchanged.version())
        .setTtlRemainingMs(w.ttlRemaining(unchanged.expireAtMillis(), unchanged.version() != 0)).build();
  }

  DeleteResponse deleteResponse(WriteResult w) {
    DeleteResponse.Builder b = DeleteResponse.newBuilder().setServedBy(servedBy(w.partition()));
    if (w.outcome() instanceof Outcome.Deleted deleted) {
      return b.setDeleted(true).setVersion(deleted.version()).build();
    }
    if (w.outcome() instanceof Outcome.Unchanged unchanged) {
      return b.setVersion(unchanged.version()).build();
    }
    return b.build();
  }

  TouchResponse touchResponse(WriteResult w) {
    TouchResponse.Builder b = TouchResponse.newBuilder().setServedBy(servedBy(w.partition()));
    if (w.outcome() instanceof Outcome.Touched touched) {
      return b.setFound(true).setVersion(touched.version())
          .setTtlRemainingMs(w.ttlRemaining(touched.expireAtMillis(), true)).build();
    }
    return b.build();
  }

  IncrementResponse incrementResponse(WriteResult w) {
    Outcome.Incremented inc = (Outcome.Incremented) w.outcome();
    return IncrementResponse.newBuilder().setServedBy(servedBy(w.partition()))
        .setValue(inc.value()).setVersion(inc.version())
        .setTtlRemainingMs(w.ttlRemaining(inc.expireAtMillis(), true)).build();
  }

  CompareAndSetResponse compareAndSetResponse(WriteResult w) {
    CompareAndSetResponse.Builder b = CompareAndSetResponse.newBuilder().setServedBy(servedBy(w.partition()));
    if (w.outcome() instanceof Outcome.Written written) {
      return b.setApplied(true).setVersion(written.version()).build();
    }
    Outcome.Unchanged unchanged = (Outcome.Unchanged) w.outcome();
    return b.setVersion(unchanged.version()).setCurrentValue(ByteString.copyFrom(unchanged.currentValue())).build();
  }
}
