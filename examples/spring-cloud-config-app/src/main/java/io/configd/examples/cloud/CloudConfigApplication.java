package io.configd.examples.cloud;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** A payment service that reads its settings from a Spring Cloud Config server, here configd. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class CloudConfigApplication {

  public static void main(String[] args) {
    SpringApplication.run(CloudConfigApplication.class, args);
  }
}
