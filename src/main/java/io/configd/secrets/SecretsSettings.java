package io.configd.secrets;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code secrets} section. Master keys are {@code id:base64} (a 256-bit AES key, e.g. {@code openssl rand -base64
 * 32}), comma-separated in {@code masterKey} (CONFIGD_SECRETS_MASTER_KEY), one per line in {@code masterKeyFile}; the
 * first one listed seals, the others only unwrap (rotation). No master key: the node refuses to make a key secret, and
 * refuses to start on a database that holds secrets.
 *
 * @param reencryptIntervalMs how often a node looks for versions sealed under an older data key
 * @param reencryptBatchSize  versions sealed again per transaction
 */
public record SecretsSettings(List<MasterKey> masterKeys, long reencryptIntervalMs, int reencryptBatchSize) {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  /** One master key; its bytes never appear in a string. */
  public record MasterKey(String id, SecretKey key) {

    @Override
    public String toString() {
      return "MasterKey[" + id + "]";
    }
  }

  public SecretsSettings {
    masterKeys = List.copyOf(masterKeys);
  }

  public static SecretsSettings from(JsonObject secrets) {
    List<MasterKey> keys = new ArrayList<>();
    Object listed = secrets.getValue("masterKey", "");
    List<String> entries = new ArrayList<>();
    if (listed instanceof String text) {
      entries.addAll(List.of(text.split(",")));
    } else if (listed instanceof io.vertx.core.json.JsonArray array) {
      array.forEach(item -> entries.add(String.valueOf(item)));
    }
    String file = secrets.getString("masterKeyFile", "");
    if (!file.isBlank()) {
      try {
        entries.addAll(Files.readAllLines(Path.of(file)));
      } catch (IOException e) {
        throw new IllegalArgumentException("secrets.masterKeyFile: cannot read " + file + ": " + e.getMessage());
      }
    }
    Set<String> ids = new HashSet<>();
    for (String entry : entries) {
      String trimmed = entry.trim();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      MasterKey key = parse(trimmed, keys.size() + 1);
      if (!ids.add(key.id())) {
        throw new IllegalArgumentException("secrets: master key id '" + key.id() + "' is listed twice");
      }
      keys.add(key);
    }
    SecretsSettings settings = new SecretsSettings(keys, secrets.getLong("reencryptIntervalMs", 5_000L),
        secrets.getInteger("reencryptBatchSize", 100));
    if (settings.reencryptIntervalMs() < 1 || settings.reencryptBatchSize() < 1) {
      throw new IllegalArgumentException("secrets: reencryptIntervalMs and reencryptBatchSize must be positive");
    }
    return settings;
  }

  /** "id:base64" of 32 bytes; the message names the entry by position and id, never its key material. */
  private static MasterKey parse(String entry, int position) {
    int colon = entry.indexOf(':');
    String id = colon < 0 ? "" : entry.substring(0, colon);
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("secrets: master key " + position + " must be id:base64, the id of 1 to 64 "
          + "letters, digits, '_', '.' or '-' (e.g. k1:$(openssl rand -base64 32))");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(entry.substring(colon + 1).trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("secrets: master key '" + id + "' is not base64");
    }
    if (bytes.length != 32) {
      throw new IllegalArgumentException("secrets: master key '" + id + "' has " + bytes.length
          + " bytes; a master key is 32 bytes (256-bit AES), base64-encoded");
    }
    return new MasterKey(id, new SecretKeySpec(bytes, "AES"));
  }

  public boolean enabled() {
    return !masterKeys.isEmpty();
  }

  /** The master key that wraps new data keys: the first one listed. */
  public MasterKey primary() {
    return masterKeys.get(0);
  }
}
