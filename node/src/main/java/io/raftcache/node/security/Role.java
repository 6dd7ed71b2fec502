package io.raftcache.node.security;

import java.util.Locale;

/** What a token may do on a namespace; each role includes the ones before it. */
public enum Role {
  /** Get and GetMulti. */
  READ,
  /** Reads, and every write (Set, Delete, Touch, Increment, CompareAndSet, the Multi calls, InvalidateTag). */
  WRITE,
  /** Writes, and the namespace's dangerous operations (Flush, EraseTag); on "*", cluster administration. */
  ADMIN;

  /** True if holding this role allows what {@code needed} allows. */
  public boolean includes(Role needed) {
    return compareTo(needed) >= 0;
  }

  /** The role named {@code name} ("read", "write" or "admin"). */
  public static Role parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("role must be read, write or admin, got '" + name + "'");
    }
  }

  /** The lower-case name stored in PostgreSQL and shown to operators. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
