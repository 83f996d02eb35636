package io.configd.model;

/** A failure with a kind the API knows how to report; the message is the problem's detail. */
public class ConfigdException extends RuntimeException {

  private final Failure failure;

  public ConfigdException(Failure failure, String detail) {
    super(detail, null, false, false);
    this.failure = failure;
  }

  public Failure failure() {
    return failure;
  }
}
