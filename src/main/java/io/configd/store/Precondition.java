package io.configd.store;

/** The condition a write puts on the key's current version (HTTP If-Match / If-None-Match). */
public sealed interface Precondition {

  Precondition NONE = new None();
  Precondition EXISTS = new Exists();
  Precondition ABSENT = new Absent();

  /** The detail of the failure when the key's state does not satisfy the condition, or null when it does. */
  String violation(int currentVersion, boolean currentDeleted);

  /** How the write function of the store names this condition. */
  String kind();

  /** The version an If-Match names, null for the other conditions. */
  default Integer expectedVersion() {
    return null;
  }

  record None() implements Precondition {
    @Override
    public String kind() {
      return "none";
    }

    @Override
    public String violation(int currentVersion, boolean currentDeleted) {
      return null;
    }
  }

  /** If-Match: "*" */
  record Exists() implements Precondition {
    @Override
    public String kind() {
      return "exists";
    }

    @Override
    public String violation(int currentVersion, boolean currentDeleted) {
      return currentDeleted ? "If-Match: * requires the key to exist, and it does not" : null;
    }
  }

  /** If-None-Match: * (create only). A deleted key counts as absent. */
  record Absent() implements Precondition {
    @Override
    public String kind() {
      return "absent";
    }

    @Override
    public String violation(int currentVersion, boolean currentDeleted) {
      return currentDeleted ? null
          : "If-None-Match: * requires the key to be absent; it exists at version " + currentVersion;
    }
  }

  /** If-Match: "n" (compare and set). */
  record Version(int version) implements Precondition {
    @Override
    public String kind() {
      return "version";
    }

    @Override
    public Integer expectedVersion() {
      return version;
    }

    @Override
    public String violation(int currentVersion, boolean currentDeleted) {
      if (currentVersion == 0) {
        return "If-Match: \"" + version + "\" but the key has no version yet";
      }
      return currentVersion == version ? null
          : "If-Match: \"" + version + "\" but the current version is " + currentVersion;
    }
  }
}
