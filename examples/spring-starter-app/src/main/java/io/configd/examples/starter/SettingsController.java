package io.configd.examples.starter;

import io.configd.spring.ConfigdChangeEvent;
import io.configd.spring.ConfigdClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Shows what the service sees: its properties beans, one raw property, and the configd change events received; a
 * POST /failures is a payment that failed, reported to configd against the revision the service runs.
 */
@RestController
public class SettingsController {

  private final PaymentSettings settings;
  private final PaymentLimits limits;
  private final Environment environment;
  private final Greeting greeting;
  private final ConfigdClient configd;
  private final List<List<String>> events = new CopyOnWriteArrayList<>();
  /** The keys of each event's changes: a transaction's in one event. */
  private final List<List<String>> eventKeys = new CopyOnWriteArrayList<>();

  public SettingsController(PaymentSettings settings, PaymentLimits limits, Environment environment, Greeting greeting,
                            ConfigdClient configd) {
    this.settings = settings;
    this.limits = limits;
    this.environment = environment;
    this.greeting = greeting;
    this.configd = configd;
  }

  @PostMapping("/failures")
  public void failed() {
    configd.client().reportFailure("a payment failed");
  }

  @EventListener
  public void changed(ConfigdChangeEvent event) {
    events.add(event.propertyNames().stream().sorted().toList());
    eventKeys.add(event.changes().stream().map(change -> change.key()).toList());
  }

  @GetMapping("/settings")
  public Map<String, Object> settings() {
    // The events first: an event is published after its rebind, so a view that lists it shows the rebound values
    // (read after the values, an event published in between came with the values of before it).
    List<List<String>> seen = List.copyOf(events);
    List<List<String>> seenKeys = List.copyOf(eventKeys);
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("poolSize", settings.getPoolSize());
    view.put("databaseUrl", settings.getDatabaseUrl());
    view.put("timeout", settings.getTimeout() == null ? null : settings.getTimeout().toString());
    view.put("hosts", settings.getHosts());
    view.put("limits", Map.of("maxAmount", limits.maxAmount(), "currency", String.valueOf(limits.currency())));
    view.put("property", environment.getProperty("services.payment.pool-size"));
    view.put("greeting", greeting.text());
    view.put("events", seen);
    view.put("eventKeys", seenKeys);
    return view;
  }
}
