package io.configd.spring;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.cloud.context.scope.refresh.RefreshScope;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Active when {@code spring.config.import=configd:} loaded values (the loader registered a {@link ConfigdClient}):
 * keeps the Environment and the properties beans live, and adds health and metrics when Actuator and Micrometer are
 * there.
 */
@AutoConfiguration(afterName = {
    "org.springframework.cloud.autoconfigure.RefreshAutoConfiguration",
    "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration"})
@ConditionalOnBean(ConfigdClient.class)
public class ConfigdAutoConfiguration {

  @Bean
  ConfigdRefresher configdRefresher(ConfigdClient configd, ConfigurableApplicationContext context, Rebinder rebinder) {
    return new ConfigdRefresher(configd, context.getEnvironment(), rebinder, context);
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingClass("org.springframework.cloud.context.environment.EnvironmentChangeEvent")
  static class Boot {

    @Bean
    Rebinder configdRebinder(ConfigurableApplicationContext context) {
      return new PropertiesRebinder(context);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.cloud.context.environment.EnvironmentChangeEvent")
  static class Cloud {

    @Bean
    Rebinder configdRebinder(ConfigurableApplicationContext context, ObjectProvider<RefreshScope> refreshScope) {
      return new CloudRebinder(context, refreshScope.getIfAvailable());
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  @ConditionalOnEnabledHealthIndicator("configd")
  static class Health {

    @Bean
    ConfigdHealthIndicator configdHealthIndicator(ConfigdClient configd) {
      return new ConfigdHealthIndicator(configd);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  @ConditionalOnBean(MeterRegistry.class)
  static class Metrics {

    @Bean
    ConfigdMetrics configdMetrics(ConfigdClient configd, MeterRegistry registry) {
      return new ConfigdMetrics(configd, registry);
    }
  }
}
