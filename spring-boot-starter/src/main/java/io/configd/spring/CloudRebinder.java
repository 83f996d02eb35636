package io.configd.spring;

import java.util.Set;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.cloud.context.scope.refresh.RefreshScope;
import org.springframework.context.ApplicationContext;

/**
 * With Spring Cloud's context on the class path: an {@link EnvironmentChangeEvent} (its rebinder rebinds the
 * {@code @ConfigurationProperties} beans, log levels follow), then every {@code @RefreshScope} bean is refreshed.
 * Not a full {@code ContextRefresher.refresh()}: the Environment is already current, and re-running the config
 * imports would only read the same client again.
 */
final class CloudRebinder implements Rebinder {

  private final ApplicationContext context;
  private final RefreshScope refreshScope;

  CloudRebinder(ApplicationContext context, RefreshScope refreshScope) {
    this.context = context;
    this.refreshScope = refreshScope;
  }

  @Override
  public void rebind(Set<String> propertyNames) {
    context.publishEvent(new EnvironmentChangeEvent(context, propertyNames));
    if (refreshScope != null) {
      refreshScope.refreshAll();
    }
  }
}
