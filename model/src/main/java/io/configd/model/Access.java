package io.configd.model;

import java.util.Locale;

/**
 * What a grant allows. read &lt; write &lt; admin, and beside write: secret, which is read plus the clear values of
 * secret keys. A writer may set a secret without being able to read it back; admin includes everything.
 */
public enum Access {
  READ, WRITE, ADMIN, SECRET;

  public boolean includes(Access needed) {
    return switch (this) {
      case ADMIN -> true;
      case WRITE -> needed == READ || needed == WRITE;
      case SECRET -> needed == READ || needed == SECRET;
      case READ -> needed == READ;
    };
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** read, write, admin or secret, exactly; null when it is none of them. */
  public static Access parse(String text) {
    for (Access access : values()) {
      if (access.label().equals(text)) {
        return access;
      }
    }
    return null;
  }
}
