package io.configd.store;

/**
 * What the write pipeline needs of the node's secrets: a secret's value sealed before it joins a batch, so that
 * PostgreSQL only ever receives its ciphertext, and which keys are known to be secret (the flag is sticky, so a key
 * known secret stays secret).
 */
public interface Sealer {

  /** The ciphertext of a value and the data key it is sealed under. */
  record Sealed(String ciphertext, int dataKey) {

    /** A ciphertext as stored ({@code v1.<data key>.<…>}), for a rollback that records it again. */
    public static Sealed of(String ciphertext) {
      String[] parts = ciphertext.split("\\.", 3);
      return new Sealed(ciphertext, Integer.parseInt(parts[1]));
    }
  }

  /** Seals the clear value (JSON text) of {@code env}/{@code key}; fails with CONFLICT when no master key is set. */
  Sealed seal(String env, String key, String encodedValue);

  /** The clear value (JSON text) of a sealed value, for the checks a write passes in memory (a rollback's schema). */
  String open(String env, String key, String sealed);

  boolean knownSecret(String env, String key);

  /** Remembers that a key is secret (a write or a change seen on the stream said so). */
  void learnSecret(String env, String key);

  /** For nodes without secrets (and tests of other things): sealing refused, nothing known secret. */
  Sealer NONE = new Sealer() {
    @Override
    public Sealed seal(String env, String key, String encodedValue) {
      throw new io.configd.model.ConfigdException(io.configd.model.Failure.CONFLICT,
          "secrets are not configured on this node: set secrets.masterKey (CONFIGD_SECRETS_MASTER_KEY)");
    }

    @Override
    public String open(String env, String key, String sealed) {
      return seal(env, key, null).ciphertext();
    }

    @Override
    public boolean knownSecret(String env, String key) {
      return false;
    }

    @Override
    public void learnSecret(String env, String key) {
    }
  };
}
