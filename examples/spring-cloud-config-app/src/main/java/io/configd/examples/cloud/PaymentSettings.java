package io.configd.examples.cloud;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** payment.pool-size and payment.currency, rebound by Spring Cloud when the environment is refreshed. */
@ConfigurationProperties("payment")
public class PaymentSettings {

  private int poolSize;
  private String currency;

  public int getPoolSize() {
    return poolSize;
  }

  public void setPoolSize(int poolSize) {
    this.poolSize = poolSize;
  }

  public String getCurrency() {
    return currency;
  }

  public void setCurrency(String currency) {
    this.currency = currency;
  }
}
