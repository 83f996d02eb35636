package io.configd.client;

/** A key has no value, or its value does not fit the type it was read as. */
public class ConfigValueException extends RuntimeException {

  private final String key;

  public ConfigValueException(String key, String message) {
    super(message);
    this.key = key;
  }

  public ConfigValueException(String key, String message, Throwable cause) {
    super(message, cause);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
