package io.configd.spring;

import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.boot.context.properties.ConfigurationPropertiesBean;
import org.springframework.boot.context.properties.bind.BindMethod;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Rebinds, in place, every JavaBean-style {@code @ConfigurationProperties} bean whose prefix covers a changed
 * property, by running Spring Boot's binding post-processor on it again (what Spring Cloud's rebinder does).
 * Constructor-bound ones (records) are immutable: they keep the values they started with; read those through
 * {@code @RefreshScope} (with Spring Cloud), the Environment, or a {@link ConfigdChangeEvent} listener.
 */
final class PropertiesRebinder implements Rebinder {

  private static final Logger LOG = LoggerFactory.getLogger(PropertiesRebinder.class);

  private final ConfigurableApplicationContext context;

  PropertiesRebinder(ConfigurableApplicationContext context) {
    this.context = context;
  }

  @Override
  public void rebind(Set<String> propertyNames) {
    Set<ConfigurationPropertyName> changed = propertyNames.stream()
        .map(name -> ConfigurationPropertyName.adapt(name, '.'))
        .collect(java.util.stream.Collectors.toSet());
    ConfigurationPropertiesBean.getAll(context).forEach((name, bean) -> {
      if (bean.asBindTarget().getBindMethod() != BindMethod.JAVA_BEAN || !covers(bean.getAnnotation().prefix(), changed)) {
        return;
      }
      Object target = AopProxyUtils.getSingletonTarget(bean.getInstance());
      Object instance = target != null ? target : bean.getInstance();
      try {
        context.getAutowireCapableBeanFactory().initializeBean(instance, name);
      } catch (RuntimeException e) {
        LOG.error("configd: rebinding the properties bean '{}' failed; it keeps its previous values", name, e);
      }
    });
  }

  private static boolean covers(String prefix, Set<ConfigurationPropertyName> changed) {
    if (prefix == null || prefix.isEmpty()) {
      return true;
    }
    ConfigurationPropertyName root = ConfigurationPropertyName.adapt(prefix, '.');
    return changed.stream().anyMatch(name -> root.equals(name) || root.isAncestorOf(name));
  }
}
