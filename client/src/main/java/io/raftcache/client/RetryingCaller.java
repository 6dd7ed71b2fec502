package io.raftcache.client;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Status;
import io.raftcache.proto.ErrorReasons;
import io.raftcache.proto.RaftCacheMetadata;
import io.raftcache.proto.v1.ErrorReason;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one logical call as a bounded series of attempts inside the caller's deadline.
 *
 * <p>At most {@link #MAX_ATTEMPTS} attempts, all inside the deadline. Each attempt goes to the node the route table names (the partition's leader) or, failing that, to some
 * member. What happens after a failure:
 * <ul>
 *   <li>NOT_LEADER: nothing was applied; the hinted leader is tried next (at once the first time, then after a
 *       backoff, since hints go stale during an election) and the table is refreshed in the background. Safe for
 *       every call.
 *   <li>UNAVAILABLE without a reason (the node is down or unreachable), NODE_NOT_READY, EPOCH_MISMATCH: the table
 *       is refreshed and the call retried elsewhere after a jittered backoff, if it is idempotent (or the reason
 *       says it was not applied).
 *   <li>PARTITION_BUSY: nothing was proposed; retried at the same leader after a jittered backoff. Safe for every
 *       call.
 *   <li>OUTCOME_UNKNOWN, or UNAVAILABLE for a non-idempotent call: {@link AmbiguousOutcomeException}.
 *   <li>Everything else (bad input, quota, the deadline): {@link RaftCacheException} at once.
 * </ul>
 */
final class RetryingCaller {
  /** A single attempt on one node: start the gRPC call with these options. */
  @FunctionalInterface
  interface Attempt<T> {
    ListenableFuture<T> start(Channel channel, CallOptions options);
  }

  static final int MAX_ATTEMPTS = 16;
  private static final long BASE_BACKOFF_MILLIS = 10;
  private static final long MAX_BACKOFF_MILLIS = 300;
  /** How long a node that failed at the transport level is avoided when another can be tried. */
  private static final long SUSPECT_MILLIS = 1000;

  /** Adds {@code raftcache-no-forward: true}; built once, not per attempt (it is on every write's path). */
  private static final io.grpc.ClientInterceptor NO_FORWARD = noForwardInterceptor();

  private static io.grpc.ClientInterceptor noForwardInterceptor() {
    Metadata headers = new Metadata();
    headers.put(RaftCacheMetadata.NO_FORWARD, "true");
    return io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers);
  }

  private final NodeChannels channels;
  private final TopologyTracker topology;
  private final ScheduledExecutorService scheduler;
  private final AtomicLong roundRobin = new AtomicLong();
  private final Map<String, Long> suspectUntil = new ConcurrentHashMap<>();

  RetryingCaller(NodeChannels channels, TopologyTracker topology, ScheduledExecutorService scheduler) {
    this.channels = channels;
    this.topology = topology;
    this.scheduler = scheduler;
  }

  /**
   * Runs {@code attempt} until it succeeds, fails for good, runs out of attempts or of time.
   *
   * @param partition the key's partition, or -1 to let any member serve it (multi-key calls pass a node instead)
   * @param address a fixed first target, or null to route by {@code partition}
   * @param idempotent whether running it twice is the same as once
   * @param noForward ask the node not to forward (single-key writes: a stale route comes back as NOT_LEADER)
   */
  <T> CompletableFuture<T> call(int partition, String address, boolean idempotent, boolean noForward, Deadline deadline,
      Attempt<T> attempt) {
    CompletableFuture<T> result = new CompletableFuture<>();
    new Run<>(partition, address, idempotent, noForward, deadline, attempt, result).next(null, 0);
    return result;
  }

  private final class Run<T> {
    final int partition;
    final boolean idempotent;
    final boolean noForward;
    final Deadline deadline;
    final Attempt<T> attempt;
    final CompletableFuture<T> result;
    String target;
    boolean followedHint;

    Run(int partition, String address, boolean idempotent, boolean noForward, Deadline deadline, Attempt<T> attempt,
        CompletableFuture<T> result) {
      this.partition = partition;
      this.target = address;
      this.idempotent = idempotent;
      this.noForward = noForward;
      this.deadline = deadline;
      this.attempt = attempt;
      this.result = result;
    }

    void next(Throwable previous, int tries) {
      if (tries >= MAX_ATTEMPTS || deadline.isExpired()) {
        Status status = previous == null ? Status.DEADLINE_EXCEEDED : Status.fromThrowable(previous);
        result.completeExceptionally(new RaftCacheException(status.getCode(),
            previous == null ? ErrorReason.ERROR_REASON_UNSPECIFIED : ErrorReasons.reasonOf(previous),
            "gave up after " + tries + " attempts: " + status.getDescription(), previous));
        return;
      }
      String address = target != null ? target : route();
      target = null;
      CallOptions options = CallOptions.DEFAULT.withDeadline(deadline);
      Channel channel = channels.to(address);
      if (noForward) {
        channel = io.grpc.ClientInterceptors.intercept(channel, NO_FORWARD);
      }
      ListenableFuture<T> call;
      try {
        call = attempt.start(channel, options);
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
        return;
      }
      Futures.addCallback(call, new FutureCallback<>() {
        @Override
        public void onSuccess(T value) {
          result.complete(value);
        }

        @Override
        public void onFailure(Throwable t) {
          failed(address, t, tries + 1);
        }
      }, MoreExecutors.directExecutor());
    }

    void failed(String address, Throwable t, int tries) {
      Status status = Status.fromThrowable(t);
      ErrorReason reason = ErrorReasons.reasonOf(t);
      switch (reason) {
        case NOT_LEADER -> {
          Metadata trailers = Status.trailersFromThrowable(t);
          String hint = trailers == null ? null : trailers.get(RaftCacheMetadata.LEADER_HINT);
          topology.refresh();
          if (hint != null && partition >= 0) {
            topology.leaderHint(partition, hint);
            target = hint;
          }
          // The first hint is followed at once. During an election, followers can send the call back and forth
          // with stale hints, so after that the retries back off until a leader is settled.
          if (hint != null && !hint.equals(address) && !followedHint) {
            followedHint = true;
            next(t, tries);
          } else {
            later(t, tries);
          }
          return;
        }
        case EPOCH_MISMATCH, NODE_NOT_READY -> {
          topology.refresh();
          later(t, tries);
          return;
        }
        case PARTITION_BUSY -> {
          // Refused before anything was proposed, so every call may go again once the leader's queue drains.
          later(t, tries);
          return;
        }
        case QUOTA_EXCEEDED -> {
          // The node refused before doing anything, so even a non-idempotent call may go again, once the
          // retry-after the node gave has passed, if the deadline leaves room.
          Metadata trailers = Status.trailersFromThrowable(t);
          String after = trailers == null ? null : trailers.get(RaftCacheMetadata.RETRY_AFTER_MS);
          long wait = parseMillis(after);
          if (wait >= 0 && wait < deadline.timeRemaining(TimeUnit.MILLISECONDS)) {
            target = address;
            scheduler.schedule(() -> next(t, tries), wait + ThreadLocalRandom.current().nextLong(wait / 10 + 1),
                TimeUnit.MILLISECONDS);
          } else {
            result.completeExceptionally(new RaftCacheException(status.getCode(), reason,
                String.valueOf(status.getDescription()), t));
          }
          return;
        }
        case OUTCOME_UNKNOWN -> {
          if (idempotent) {
            later(t, tries);
          } else {
            result.completeExceptionally(new AmbiguousOutcomeException(status.getCode(), reason,
                String.valueOf(status.getDescription()), t));
          }
          return;
        }
        default -> { }
      }
      if (status.getCode() == Status.Code.UNAVAILABLE && reason == ErrorReason.ERROR_REASON_UNSPECIFIED) {
        suspectUntil.put(address, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SUSPECT_MILLIS));
        topology.refresh();
        if (idempotent) {
          later(t, tries);
        } else {
          result.completeExceptionally(new AmbiguousOutcomeException(status.getCode(), reason,
              "the node became unreachable during a non-idempotent call: " + status.getDescription(), t));
        }
        return;
      }
      result.completeExceptionally(new RaftCacheException(status.getCode(), reason,
          String.valueOf(status.getDescription()), t));
    }

    private static long parseMillis(String value) {
      if (value == null) {
        return -1;
      }
      try {
        return Math.max(0, Long.parseLong(value.trim()));
      } catch (NumberFormatException e) {
        return -1;
      }
    }

    void later(Throwable t, int tries) {
      long cap = Math.min(MAX_BACKOFF_MILLIS, BASE_BACKOFF_MILLIS << Math.min(tries, 10));
      long delay = ThreadLocalRandom.current().nextLong(cap / 2, cap + 1);
      long left = deadline.timeRemaining(TimeUnit.MILLISECONDS);
      if (left <= delay) {
        next(t, MAX_ATTEMPTS); // no time for another attempt: fail with this error
        return;
      }
      scheduler.schedule(() -> next(t, tries), delay, TimeUnit.MILLISECONDS);
    }

    boolean suspect(String address, long now) {
      Long until = suspectUntil.get(address);
      return until != null && until - now > 0;
    }

    /** The partition's leader if known and not suspect, else a member that is not suspect. */
    String route() {
      RouteTable table = topology.current();
      long now = System.nanoTime();
      if (partition >= 0 && partition < table.partitionCount()) {
        String leader = table.leaders()[partition];
        if (leader != null && !suspect(leader, now)) {
          return leader;
        }
      }
      List<String> members = table.addresses();
      for (int i = 0; i < members.size(); i++) {
        String candidate = members.get((int) Math.floorMod(roundRobin.getAndIncrement(), (long) members.size()));
        if (!suspect(candidate, now)) {
          return candidate;
        }
      }
      return members.get((int) Math.floorMod(roundRobin.getAndIncrement(), (long) members.size()));
    }
  }
}
