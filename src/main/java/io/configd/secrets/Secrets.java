package io.configd.secrets;

import io.configd.model.Access;
import io.configd.model.ConfigKey;
import io.configd.model.ConfigValue;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.model.Principal;
import io.configd.store.Sealer;
import io.configd.store.SecretStore;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's secrets, built once by the node: values sealed with AES-256-GCM under a data key (the one made for the
 * first master key), data keys kept in PostgreSQL wrapped by a master key, and the edge where a sealed version is
 * revealed to a reader with secret access or masked for any other. Thread-safe.
 *
 * <p>A sealed value is {@code v1.<data key id>.<base64url(iv | ciphertext | tag)>}, its associated data the env and
 * the key: a ciphertext copied to another key does not open.
 */
public final class Secrets implements Sealer {

  private static final Logger LOG = LoggerFactory.getLogger(Secrets.class);
  private static final String CHECK_TEXT = "configd master key check";
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretsSettings settings;
  private final SecretStore store;
  private final Map<Integer, SecretKey> dataKeys = new ConcurrentHashMap<>();
  private final Set<String> secretKeys = ConcurrentHashMap.newKeySet();
  private volatile int activeDataKey;

  private Secrets(SecretsSettings settings, SecretStore store) {
    this.settings = settings;
    this.store = store;
  }

  /**
   * Checks the configured master keys against PostgreSQL and loads the data keys; fails, saying what to do, when a
   * master key is not the one this database knows under its id, or when a data key is wrapped by a master key that is
   * not configured: the node then stops instead of serving what it cannot open.
   */
  public static Future<Secrets> start(SecretsSettings settings, SecretStore store) {
    Secrets secrets = new Secrets(settings, store);
    return secrets.checkMasterKeys()
        .compose(checked -> settings.enabled() ? store.addDataKey(settings.primary().id(), secrets::newWrappedKey)
            : Future.succeededFuture())
        .compose(added -> secrets.loadDataKeys())
        .compose(loaded -> store.secretKeys())
        .map(keys -> {
          secrets.secretKeys.addAll(keys);
          if (settings.enabled()) {
            LOG.info("Secrets: master keys {} (new values sealed under data key {}, wrapped by '{}')",
                settings.masterKeys().stream().map(SecretsSettings.MasterKey::id).toList(), secrets.activeDataKey,
                settings.primary().id());
          }
          return secrets;
        });
  }

  private Future<Void> checkMasterKeys() {
    return store.checkValues().compose(stored -> {
      Future<Void> chain = Future.succeededFuture();
      for (SecretsSettings.MasterKey master : settings.masterKeys()) {
        String check = checkValue(master.key());
        String known = stored.get(master.id());
        if (known == null) {
          chain = chain.compose(v -> store.recordCheckValue(master.id(), check));
        } else if (!MessageDigest.isEqual(known.getBytes(StandardCharsets.US_ASCII),
            check.getBytes(StandardCharsets.US_ASCII))) {
          return Future.failedFuture(new IllegalStateException("secrets: the master key configured as '" + master.id()
              + "' is not the key this database knows under that id (its key check value differs): configd stops "
              + "rather than serve secrets it cannot open. Configure the right key for '" + master.id() + "'"));
        }
      }
      // a first node racing another on the same new id: read back what won
      return chain.compose(v -> store.checkValues()).compose(after -> {
        for (SecretsSettings.MasterKey master : settings.masterKeys()) {
          if (!checkValue(master.key()).equals(after.get(master.id()))) {
            return Future.failedFuture(new IllegalStateException("secrets: the master key configured as '"
                + master.id() + "' is not the key this database knows under that id: configd stops"));
          }
        }
        return Future.succeededFuture();
      });
    });
  }

  private Future<Void> loadDataKeys() {
    return store.dataKeys().compose(rows -> {
      List<String> missing = new ArrayList<>();
      for (SecretStore.DataKeyRow row : rows) {
        if (master(row.masterKey()) == null) {
          missing.add(row.masterKey());
        }
      }
      if (!missing.isEmpty()) {
        return Future.failedFuture(new IllegalStateException("secrets: this database's secrets are wrapped by master "
            + "key(s) " + missing.stream().distinct().toList() + ", which this node is not configured with (configured: "
            + settings.masterKeys().stream().map(SecretsSettings.MasterKey::id).toList() + "): configd stops rather "
            + "than serve secrets it cannot open. Add the key to secrets.masterKey (CONFIGD_SECRETS_MASTER_KEY) or "
            + "secrets.masterKeyFile"));
      }
      Future<Void> rewraps = Future.succeededFuture();
      for (SecretStore.DataKeyRow row : rows) {
        SecretKey key;
        try {
          key = unwrap(row.id(), master(row.masterKey()).key(), row.wrapped());
        } catch (GeneralSecurityException e) {
          return Future.failedFuture(new IllegalStateException("secrets: data key " + row.id()
              + " does not open with master key '" + row.masterKey() + "': configd stops"));
        }
        dataKeys.put(row.id(), key);
        if (row.createdFor().equals(settings.primary().id())) {
          activeDataKey = row.id();
        }
        if (!row.masterKey().equals(settings.primary().id())) {
          // rotation: the newest master key wraps every data key, so that the older one can be removed
          String wrapped = wrap(row.id(), settings.primary().key(), key);
          rewraps = rewraps.compose(v -> store.rewrap(row.id(), row.masterKey(), settings.primary().id(), wrapped))
              .onSuccess(done -> {
                if (done) {
                  LOG.info("Secrets: data key {} wrapped again under master key '{}' (was '{}')", row.id(),
                      settings.primary().id(), row.masterKey());
                }
              })
              .mapEmpty();
        }
      }
      return rewraps;
    });
  }

  private SecretsSettings.MasterKey master(String id) {
    return settings.masterKeys().stream().filter(key -> key.id().equals(id)).findFirst().orElse(null);
  }

  public SecretsSettings settings() {
    return settings;
  }

  /** The data key new values are sealed under (0 when secrets are off). */
  public int activeDataKey() {
    return activeDataKey;
  }

  // ---- sealing: the write pipeline ----

  @Override
  public Sealed seal(String env, String key, String encodedValue) {
    if (!settings.enabled()) {
      return Sealer.NONE.seal(env, key, encodedValue);
    }
    int id = activeDataKey;
    return new Sealed(seal(id, dataKeys.get(id), env, key, encodedValue), id);
  }

  @Override
  public boolean knownSecret(String env, String key) {
    return secretKeys.contains(env + "/" + key);
  }

  @Override
  public void learnSecret(String env, String key) {
    secretKeys.add(env + "/" + key);
  }

  /** The same clear value sealed again under the active data key (re-encryption after a rotation). */
  public String reseal(String env, String key, String sealed) {
    int id = activeDataKey;
    return seal(id, dataKeys.get(id), env, key, open(env, key, sealed));
  }

  private static String seal(int id, SecretKey dataKey, String env, String key, String encodedValue) {
    try {
      byte[] iv = new byte[IV_BYTES];
      RANDOM.nextBytes(iv);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, dataKey, new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(aad(env, key));
      byte[] sealed = cipher.doFinal(encodedValue.getBytes(StandardCharsets.UTF_8));
      byte[] out = ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array();
      return "v1." + id + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  // ---- the edge: revealed or masked ----

  /** The clear value (JSON text) of a sealed version; fails with INTERNAL, saying nothing of the value, if it cannot. */
  @Override
  public String open(String env, String key, String sealed) {
    String[] parts = sealed.split("\\.", 3);
    SecretKey dataKey = parts.length == 3 && parts[0].equals("v1") ? dataKeys.get(parseId(parts[1])) : null;
    if (dataKey == null) {
      throw new ConfigdException(Failure.INTERNAL, "a secret of " + env + ":" + key
          + " is sealed under a data key this node does not hold");
    }
    try {
      byte[] in = Base64.getUrlDecoder().decode(parts[2]);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, dataKey, new GCMParameterSpec(TAG_BITS, in, 0, IV_BYTES));
      cipher.updateAAD(aad(env, key));
      return new String(cipher.doFinal(in, IV_BYTES, in.length - IV_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new ConfigdException(Failure.INTERNAL, "a secret of " + env + ":" + key + " does not open (" +
          e.getClass().getSimpleName() + ")");
    }
  }

  /** Whether {@code principal} sees the clear values of {@code env}/{@code key}. */
  public static boolean maySee(Principal principal, String env, ConfigKey key) {
    return principal != null && principal.may(Access.SECRET, env, key);
  }

  /** A version as {@code principal} may see it: revealed with secret access, masked otherwise; others as they are. */
  public ConfigValue forReader(ConfigValue value, Principal principal) {
    if (value.secrecy() != ConfigValue.Secrecy.SEALED) {
      return value;
    }
    if (!maySee(principal, value.env(), ConfigKey.parse(value.key()))) {
      return value.masked();
    }
    return value.revealed(Json.decodeValue(open(value.env(), value.key(), value.sealed())));
  }

  /** {@link #forReader} on a value's JSON (either shape); JSON that holds no sealed secret is returned as it is. */
  public JsonObject forReader(JsonObject json, Principal principal) {
    if (!json.containsKey("sealed")) {
      return json;
    }
    ConfigValue value = forReader(ConfigValue.fromJson(json), principal);
    JsonObject shown = json.copy();
    shown.remove("sealed");
    shown.put("value", value.value());
    if (value.secrecy() == ConfigValue.Secrecy.MASKED) {
      shown.put("masked", true);
    }
    return shown;
  }

  /** Every item of {@code items} (value JSON) as {@code principal} may see it. */
  public JsonArray forReader(JsonArray items, Principal principal) {
    JsonArray shown = new JsonArray();
    for (Object item : items) {
      shown.add(item instanceof JsonObject json ? forReader(json, principal) : item);
    }
    return shown;
  }

  /** A version with no ciphertext, for what no reader stands behind (webhooks): the mask. */
  public static JsonObject masked(JsonObject json) {
    if (!json.containsKey("sealed")) {
      return json;
    }
    JsonObject shown = json.copy();
    shown.remove("sealed");
    return shown.put("value", json.getBoolean("deleted", false) ? null : ConfigValue.MASK).put("masked", true);
  }

  // ---- keys ----

  /** A new random data key, wrapped by the primary master key for the id it will have. */
  private String newWrappedKey(int id) {
    try {
      KeyGenerator generator = KeyGenerator.getInstance("AES");
      generator.init(256, RANDOM);
      return wrap(id, settings.primary().key(), generator.generateKey());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES is not available", e);
    }
  }

  private static String wrap(int id, SecretKey master, SecretKey dataKey) {
    try {
      byte[] iv = new byte[IV_BYTES];
      RANDOM.nextBytes(iv);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, master, new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(("configd data key " + id).getBytes(StandardCharsets.UTF_8));
      byte[] wrapped = cipher.doFinal(dataKey.getEncoded());
      return Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + wrapped.length).put(iv).put(wrapped)
          .array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  private static SecretKey unwrap(int id, SecretKey master, String wrapped) throws GeneralSecurityException {
    byte[] in = Base64.getDecoder().decode(wrapped);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.DECRYPT_MODE, master, new GCMParameterSpec(TAG_BITS, in, 0, IV_BYTES));
    cipher.updateAAD(("configd data key " + id).getBytes(StandardCharsets.UTF_8));
    return new SecretKeySpec(cipher.doFinal(in, IV_BYTES, in.length - IV_BYTES), "AES");
  }

  /** HMAC-SHA256 of a fixed text under the master key, base64: proves a key is the same without revealing it. */
  static String checkValue(SecretKey master) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(master.getEncoded(), "HmacSHA256"));
      return Base64.getEncoder().encodeToString(mac.doFinal(CHECK_TEXT.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }

  private static byte[] aad(String env, String key) {
    return (env + "\u0000" + key).getBytes(StandardCharsets.UTF_8);
  }

  private static int parseId(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
