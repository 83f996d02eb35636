package io.configd.examples.starter;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.cloud.context.config.annotation.RefreshScope;
import org.springframework.stereotype.Component;

/**
 * Reads services.payment.greeting once, when it is created: with Spring Cloud's context, the starter refreshes the
 * scope after a change and the next call gets a new instance; without it, a plain singleton that keeps its value.
 */
@Component
@RefreshScope
public class Greeting {

  private final String text;

  public Greeting(@Value("${services.payment.greeting:hello}") String text) {
    this.text = text;
  }

  public String text() {
    return text;
  }
}
