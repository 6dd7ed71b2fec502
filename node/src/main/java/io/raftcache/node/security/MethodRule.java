package io.raftcache.node.security;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;

/**
 * What calling one RPC takes.
 *
 * @param scope who may call it at all
 * @param role the role needed (on the request's namespace for {@link Scope#NAMESPACE}, on "*" for
 *     {@link Scope#CLUSTER}); null for the other scopes
 * @param namespaceField the request field naming the namespace, for {@link Scope#NAMESPACE}
 * @param addsData whether the call can add entries or bytes, so namespace capacity limits apply
 */
public record MethodRule(Scope scope, Role role, String namespaceField, boolean addsData) {
  /** Who may call an RPC. */
  public enum Scope {
    /** Anyone, without a token (health checks, reflection). */
    PUBLIC,
    /** Any valid token (topology). */
    AUTHENTICATED,
    /** A token with {@code role} on the request's namespace. */
    NAMESPACE,
    /** A token with {@code role} on every namespace ("*"). */
    CLUSTER,
    /** Only another member of the cluster (internal services). */
    MEMBER
  }

  public MethodRule {
    if ((scope == Scope.NAMESPACE || scope == Scope.CLUSTER) != (role != null)) {
      throw new IllegalArgumentException("a role is needed exactly for namespace and cluster scopes");
    }
    if ((scope == Scope.NAMESPACE) != (namespaceField != null)) {
      throw new IllegalArgumentException("a namespace field is needed exactly for the namespace scope");
    }
  }

  /** The namespace {@code request} names, or "" if it names none (validation rejects that later). */
  public String namespaceOf(Object request) {
    if (namespaceField == null || !(request instanceof Message message)) {
      return "";
    }
    FieldDescriptor field = message.getDescriptorForType().findFieldByName(namespaceField);
    if (field == null || field.getJavaType() != FieldDescriptor.JavaType.STRING) {
      return "";
    }
    return (String) message.getField(field);
  }
}
