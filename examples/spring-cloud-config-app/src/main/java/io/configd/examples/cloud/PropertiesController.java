package io.configd.examples.cloud;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** What the service sees: named properties as the Environment resolves them, and its properties bean. */
@RestController
public class PropertiesController {

  private final Environment environment;
  private final PaymentSettings settings;

  public PropertiesController(Environment environment, PaymentSettings settings) {
    this.environment = environment;
    this.settings = settings;
  }

  @GetMapping("/properties")
  public Map<String, Object> properties(@RequestParam List<String> names) {
    Map<String, Object> values = new LinkedHashMap<>();
    names.forEach(name -> values.put(name, environment.getProperty(name)));
    values.put("bean.poolSize", settings.getPoolSize());
    values.put("bean.currency", settings.getCurrency());
    return values;
  }
}
