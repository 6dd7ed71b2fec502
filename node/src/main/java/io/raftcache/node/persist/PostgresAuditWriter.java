package io.raftcache.node.persist;

import io.raftcache.node.audit.AuditEvent;
import io.raftcache.node.audit.AuditSink;
import io.raftcache.node.audit.AuditSpool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes audit events to PostgreSQL asynchronously, in batches, through a bounded queue; whatever cannot be
 * written (the database is unreachable, or the queue is full) goes to the {@link AuditSpool} and is drained, in
 * order, before newer events once the database answers again.
 *
 * <p>{@link #record} never waits on the database: it offers to the queue and, if that is full, appends to the
 * spool. Inserts are {@code ON CONFLICT DO NOTHING} on the event's id, so a batch that was stored but whose
 * acknowledgement was lost is harmless when replayed from the spool.
 */
public final class PostgresAuditWriter implements AuditSink, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PostgresAuditWriter.class);
  static final int QUEUE_CAPACITY = 10_000;
  static final int BATCH = 500;
  private static final long RETRY_MILLIS = 1_000;
  private static final String INSERT = "INSERT INTO audit_events (occurred_at, event_id, actor, action, namespace,"
      + " target, outcome, node_id, request_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)"
      + " ON CONFLICT DO NOTHING";

  private final DataSource database;
  private final AuditSpool spool;
  private final BlockingQueue<AuditEvent> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
  private final AtomicLong writeFailures = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final Thread writer;
  private volatile boolean closing;

  public PostgresAuditWriter(DataSource database, AuditSpool spool) {
    this.database = database;
    this.spool = spool;
    this.writer = new Thread(this::run, "raftcache-audit-writer");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public void record(AuditEvent event) {
    if (closing || !queue.offer(event)) {
      spool.append(List.of(event)); // never drop, never wait on the database
    }
  }

  /** Events waiting in memory. */
  public int queueDepth() {
    return queue.size();
  }

  /** Bytes of events waiting in the spool file. */
  public long spoolBytes() {
    return spool.bytes();
  }

  /** Batches that could not be written (and went to the spool). */
  public long writeFailures() {
    return writeFailures.get();
  }

  /** Events stored in the database so far (inserted or found already there). */
  public long written() {
    return written.get();
  }

  private void run() {
    while (!closing || !queue.isEmpty()) {
      try {
        if (spool.bytes() > 0 && !drainSpool()) {
          spoolQueueAndWait();
          continue;
        }
        List<AuditEvent> batch = new ArrayList<>(BATCH);
        AuditEvent first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, BATCH - 1);
        if (!insert(batch)) {
          spool.append(batch);
          spoolQueueAndWait();
        }
      } catch (InterruptedException e) {
        if (!closing) {
          Thread.currentThread().interrupt();
          return;
        }
      } catch (RuntimeException e) {
        log.error("audit writer: unexpected failure; retrying in {} ms", RETRY_MILLIS, e);
      }
    }
  }

  /** While the database is down, newer events go behind the spooled ones (order), then the writer waits. */
  private void spoolQueueAndWait() throws InterruptedException {
    List<AuditEvent> pending = new ArrayList<>();
    queue.drainTo(pending);
    if (!pending.isEmpty()) {
      spool.append(pending);
    }
    if (!closing) {
      Thread.sleep(RETRY_MILLIS); // back off before asking the database again
    }
  }

  /** Stores the spool's events in order; true once the spool is empty. */
  private boolean drainSpool() {
    AuditSpool.Contents contents = spool.read();
    List<AuditEvent> spooled = contents.events();
    for (int from = 0; from < spooled.size(); from += BATCH) {
      if (!insert(spooled.subList(from, Math.min(spooled.size(), from + BATCH)))) {
        return false; // still down; the whole spool is replayed next time (idempotent inserts)
      }
    }
    spool.removeFirst(contents.bytes()); // keeps events appended while these were being written
    if (!spooled.isEmpty()) {
      log.info("audit writer: drained {} spooled events", spooled.size());
    }
    return true;
  }

  private boolean insert(List<AuditEvent> batch) {
    try (Connection c = database.getConnection(); PreparedStatement s = c.prepareStatement(INSERT)) {
      for (AuditEvent e : batch) {
        s.setTimestamp(1, Timestamp.from(e.occurredAt()));
        s.setObject(2, e.eventId());
        s.setString(3, e.actor());
        s.setString(4, e.action());
        setNullable(s, 5, e.namespace());
        setNullable(s, 6, e.target());
        s.setString(7, e.outcome());
        s.setString(8, e.nodeId());
        setNullable(s, 9, e.requestId());
        s.setString(10, e.detailJson());
        s.addBatch();
      }
      s.executeBatch();
      written.addAndGet(batch.size());
      return true;
    } catch (SQLException e) {
      writeFailures.incrementAndGet();
      log.warn("audit writer: PostgreSQL unavailable ({}); {} events go to the spool", e.getMessage(), batch.size());
      return false;
    }
  }

  private static void setNullable(PreparedStatement s, int index, String value) throws SQLException {
    if (value == null) {
      s.setNull(index, Types.VARCHAR);
    } else {
      s.setString(index, value);
    }
  }

  /** Stops taking events into memory, writes or spools what is queued, and stops the writer (bounded). */
  @Override
  public void close() {
    closing = true;
    writer.interrupt();
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<AuditEvent> left = new ArrayList<>();
    queue.drainTo(left);
    if (!left.isEmpty()) {
      spool.append(left); // written at the next start
    }
  }
}
