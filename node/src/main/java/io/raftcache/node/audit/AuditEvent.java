package io.raftcache.node.audit;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One audited action.
 *
 * @param eventId chosen when the action happens, so a replayed event is stored once
 * @param occurredAt when it happened (from the node's clock)
 * @param actor who did it (token name, node id, or "anonymous")
 * @param action what was done, e.g. "namespace.flush", "member.remove", "auth.denied"
 * @param namespace the namespace concerned, or null
 * @param target what it was done to (a node id, a tag, a token name), or null
 * @param outcome "OK", "DENIED", "FAILED", ...
 * @param nodeId the node that recorded it
 * @param requestId the request's id, or null
 * @param detailJson more detail as a JSON object ("{}" when none; anything else is wrapped as {"text": ...})
 */
public record AuditEvent(UUID eventId, Instant occurredAt, String actor, String action, String namespace,
    String target, String outcome, String nodeId, String requestId, String detailJson) {
  public AuditEvent {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(nodeId, "nodeId");
    detailJson = asJsonObject(detailJson);
  }

  /**
   * {@code detail} if it is a JSON object, else an object holding it as text: one malformed detail must not make
   * the database refuse (and the writer retry forever) the batch it is in.
   */
  private static String asJsonObject(String detail) {
    if (detail == null || detail.isBlank()) {
      return "{}";
    }
    try {
      if (com.google.gson.JsonParser.parseString(detail).isJsonObject()) {
        return detail;
      }
    } catch (com.google.gson.JsonParseException notJson) {
      // wrapped below
    }
    com.google.gson.JsonObject wrapped = new com.google.gson.JsonObject();
    wrapped.addProperty("text", detail);
    return wrapped.toString();
  }
}
