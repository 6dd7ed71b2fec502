package io.raftcache.node.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.alipay.sofa.jraft.conf.ConfigurationManager;
import com.alipay.sofa.jraft.entity.EnumOutter.EntryType;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.LogId;
import com.alipay.sofa.jraft.entity.codec.LogEntryCodecFactory;
import com.alipay.sofa.jraft.entity.codec.v2.LogEntryV2CodecFactory;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import com.alipay.sofa.jraft.storage.impl.RocksDBLogStorage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A follower whose log a snapshot has emptied is asked to drop a tail it no longer has. */
class EmptyTailSafeLogStorageTest {
  @TempDir Path dir;

  @Test
  void truncatingATailThatIsAlreadyGoneSucceedsWhereJraftsStorageFails() {
    assertThat(truncateEmptiedTail(new RocksDBLogStorage(dir.resolve("plain").toString(), new RaftOptions())))
        .as("jraft 1.3.15 as shipped").isFalse();
    assertThat(truncateEmptiedTail(new EmptyTailSafeLogStorage(dir.resolve("safe").toString(), new RaftOptions())))
        .isTrue();
  }

  @Test
  void aRealSuffixIsStillTruncated() {
    LogStorage storage = open(new EmptyTailSafeLogStorage(dir.resolve("suffix").toString(), new RaftOptions()));
    try {
      append(storage, 1, 10);
      assertThat(storage.truncateSuffix(6)).isTrue();
      assertThat(storage.getLastLogIndex()).isEqualTo(6);
    } finally {
      storage.shutdown();
    }
  }

  /** Entries 1..14, the prefix up to 14 truncated by a snapshot, then "keep up to 14". */
  private static boolean truncateEmptiedTail(LogStorage storage) {
    open(storage);
    try {
      append(storage, 1, 14);
      storage.truncatePrefix(15);
      // The prefix is deleted in the background; the failure needs it gone, as after a real snapshot.
      await().atMost(Duration.ofSeconds(10)).until(() -> storage.getLastLogIndex() < 14);
      return storage.truncateSuffix(14);
    } finally {
      storage.shutdown();
    }
  }

  private static LogStorage open(LogStorage storage) {
    LogStorageOptions options = new LogStorageOptions();
    options.setConfigurationManager(new ConfigurationManager());
    options.setGroupId("truncate-test");
    LogEntryCodecFactory codec = LogEntryV2CodecFactory.getInstance();
    options.setLogEntryCodecFactory(codec);
    assertThat(storage.init(options)).isTrue();
    return storage;
  }

  private static void append(LogStorage storage, long from, long to) {
    for (long i = from; i <= to; i++) {
      LogEntry entry = new LogEntry(EntryType.ENTRY_TYPE_DATA);
      entry.setId(new LogId(i, 1));
      entry.setData(ByteBuffer.wrap(new byte[] {1}));
      assertThat(storage.appendEntry(entry)).isTrue();
    }
  }
}
