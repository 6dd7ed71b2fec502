package io.raftcache.node.security;

import io.grpc.ForwardingServerCallListener;
import io.grpc.ServerCall;

/**
 * A call listener that passes the request on to the service only if {@link #admit} allows it. A refused call is
 * already closed, so its remaining events (half-close, ready) are dropped instead of reaching a service that
 * would answer a second time.
 */
abstract class AdmissionListener<Q> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
  private boolean refused;

  AdmissionListener(ServerCall.Listener<Q> delegate) {
    super(delegate);
  }

  /** Checks the request; to refuse it, closes the call and returns false. */
  abstract boolean admit(Q message);

  @Override
  public void onMessage(Q message) {
    if (refused) {
      return;
    }
    if (!admit(message)) {
      refused = true;
      return;
    }
    super.onMessage(message);
  }

  @Override
  public void onHalfClose() {
    if (!refused) {
      super.onHalfClose();
    }
  }

  @Override
  public void onReady() {
    if (!refused) {
      super.onReady();
    }
  }
}
