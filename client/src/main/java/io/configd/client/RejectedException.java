package io.configd.client;

/** A node answered that the request itself is wrong (unknown environment, invalid prefix): retrying will not help. */
final class RejectedException extends RuntimeException {

  RejectedException(String message) {
    super(message);
  }
}
