package io.configd.examples.starter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Rebound live: configd keys services.payment.pool-size, .database-url, .timeout and .hosts (a JSON array) bind
 * poolSize, databaseUrl, timeout and hosts.
 */
@ConfigurationProperties("services.payment")
public class PaymentSettings {

  private int poolSize;
  private String databaseUrl;
  private Duration timeout;
  private List<String> hosts = new ArrayList<>();

  public int getPoolSize() {
    return poolSize;
  }

  public void setPoolSize(int poolSize) {
    this.poolSize = poolSize;
  }

  public String getDatabaseUrl() {
    return databaseUrl;
  }

  public void setDatabaseUrl(String databaseUrl) {
    this.databaseUrl = databaseUrl;
  }

  public Duration getTimeout() {
    return timeout;
  }

  public void setTimeout(Duration timeout) {
    this.timeout = timeout;
  }

  public List<String> getHosts() {
    return hosts;
  }

  public void setHosts(List<String> hosts) {
    this.hosts = hosts;
  }
}
