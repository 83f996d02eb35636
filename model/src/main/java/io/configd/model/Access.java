package io.configd.model;

import java.util.Locale;

/**
 * What a grant allows, each level including the ones below it: read &lt; write &lt; approve &lt; admin. Approve is
 * approving someone else's change held by an approval policy (never one's own).
 */
public enum Access {
  READ, WRITE, APPROVE, ADMIN;

  public boolean includes(Access needed) {
    return compareTo(needed) >= 0;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** read, write or admin, exactly; null when it is none of them. */
  public static Access parse(String text) {
    for (Access access : values()) {
      if (access.label().equals(text)) {
        return access;
      }
    }
    return null;
  }
}
