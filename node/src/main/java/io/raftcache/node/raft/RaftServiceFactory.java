package io.raftcache.node.raft;

import com.alipay.sofa.jraft.core.DefaultJRaftServiceFactory;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.LogStorage;

/** jraft's default storage, with the log storage that survives truncating an already empty tail. */
final class RaftServiceFactory extends DefaultJRaftServiceFactory {
  @Override
  public LogStorage createLogStorage(String uri, RaftOptions raftOptions) {
    return new EmptyTailSafeLogStorage(uri, raftOptions);
  }
}
