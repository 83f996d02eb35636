package io.configd.client;

/** The client cannot do what it was asked: no node answered in time, or a node refused the watched environment or prefix. */
public class ConfigClientException extends RuntimeException {

  public ConfigClientException(String message) {
    super(message);
  }

  public ConfigClientException(String message, Throwable cause) {
    super(message, cause);
  }
}
