package io.raftcache.node.api;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** Completes unary gRPC calls from futures, mapping any failure (thrown or completed) through {@link GrpcErrors}. */
final class Replies {
  private Replies() {}

  /** Runs {@code call} and sends its result or error to {@code observer}. */
  static <T> void unary(StreamObserver<T> observer, Supplier<CompletableFuture<T>> call) {
    CompletableFuture<T> future;
    try {
      future = call.get();
    } catch (RuntimeException e) {
      observer.onError(GrpcErrors.toStatus(e));
      return;
    }
    future.whenComplete((value, failure) -> {
      if (failure != null) {
        observer.onError(GrpcErrors.toStatus(failure));
      } else {
        observer.onNext(value);
        observer.onCompleted();
      }
    });
  }
}
