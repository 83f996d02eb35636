package io.configd.examples.starter;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Bound once at start (a record is immutable): the JSON object at services.payment.limits, {"max-amount": …}. */
@ConfigurationProperties("services.payment.limits")
public record PaymentLimits(int maxAmount, String currency) {
}
