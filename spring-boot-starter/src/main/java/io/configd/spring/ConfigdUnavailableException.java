package io.configd.spring;

/** The service cannot start: no configd node gave it its values and there is no snapshot file to start from. */
public class ConfigdUnavailableException extends RuntimeException {

  public ConfigdUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
