package io.configd.model;

import java.util.Locale;

/**
 * What a grant allows: read &lt; write &lt; approve &lt; admin, each level including the ones below it. Approve is
 * approving someone else's change held by an approval policy (never one's own). Beside them, secret: read plus the
 * clear values of secret keys; write and approve do not include it (a writer may set a secret without being able to
 * read it back), admin does.
 */
public enum Access {
  READ, WRITE, APPROVE, ADMIN, SECRET;

  public boolean includes(Access needed) {
    return switch (this) {
      case ADMIN -> true;
      case APPROVE -> needed == READ || needed == WRITE || needed == APPROVE;
      case WRITE -> needed == READ || needed == WRITE;
      case SECRET -> needed == READ || needed == SECRET;
      case READ -> needed == READ;
    };
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** read, write, approve, admin or secret, exactly; null when it is none of them. */
  public static Access parse(String text) {
    for (Access access : values()) {
      if (access.label().equals(text)) {
        return access;
      }
    }
    return null;
  }
}
