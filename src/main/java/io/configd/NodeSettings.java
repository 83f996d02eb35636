package io.configd;

import io.configd.secrets.SecretsSettings;
import io.configd.api.ApiSettings;
import io.configd.api.NodeLifecycle;
import io.configd.audit.AuditSettings;
import io.configd.auth.AuthSettings;
import io.configd.bridge.BridgeSettings;
import io.configd.cache.CacheSettings;
import io.configd.instances.InstancesSettings;
import io.configd.metrics.MetricsSettings;
import io.configd.model.Environments;
import io.configd.notify.NotificationSettings;
import io.configd.propagation.PropagationSettings;
import io.configd.publisher.PublisherSettings;
import io.configd.restore.RestoreSettings;
import io.configd.retention.RetentionSettings;
import io.configd.guard.GuardSettings;
import io.configd.springcloud.SpringCloudSettings;
import io.configd.store.PgSettings;
import io.configd.stream.KafkaSettings;
import io.configd.logging.LogSettings;
import io.configd.tls.TlsSettings;
import io.vertx.core.json.JsonObject;

/**
 * Every setting of one node, parsed once from the configuration (conf/ then CONFIGD_*) by {@link Node}, which hands
 * each verticle the records it needs: no verticle reads its deployment config.
 *
 * @param identity the node's schema and name: what tells two nodes in one JVM apart in logs
 */
record NodeSettings(String name, String identity, int apiInstances, Environments environments, PgSettings pg,
                    KafkaSettings kafka, ApiSettings api, BridgeSettings bridge, AuthSettings auth, CacheSettings cache,
                    PublisherSettings publisher, PropagationSettings propagation, AuditSettings audit,
                    NotificationSettings notification, SpringCloudSettings spring, TlsSettings tls,
                    RestoreSettings restore, RetentionSettings retention, MetricsSettings metrics,
                    NodeLifecycle.Settings shutdown, InstancesSettings instances, GuardSettings guards,
                    SecretsSettings secrets) {

  static NodeSettings from(JsonObject config) {
    JsonObject node = config.getJsonObject("node");
    String name = node.getString("name");
    Environments environments = Environments.from(node.getJsonArray("environments"));
    PgSettings pg = PgSettings.from(config.getJsonObject("pg"));
    KafkaSettings kafka = KafkaSettings.from(config.getJsonObject("kafka"));
    JsonObject http = config.getJsonObject("http");
    return new NodeSettings(name, pg.schema() + "/" + name,
        http.getInteger("instances", Runtime.getRuntime().availableProcessors()), environments, pg, kafka,
        ApiSettings.from(http, environments, LogSettings.from(config).access()), BridgeSettings.from(section(config, "bridge"), environments),
        AuthSettings.from(config), CacheSettings.from(config),
        PublisherSettings.from(section(config, "publisher"), name, kafka, pg),
        PropagationSettings.from(section(config, "propagation"), name, kafka),
        AuditSettings.from(section(config, "audit"), name, kafka),
        NotificationSettings.from(section(config, "notify"), name, kafka),
        SpringCloudSettings.from(section(config, "spring"), name),
        TlsSettings.from(section(config, "tls")), RestoreSettings.from(section(config, "restore")),
        RetentionSettings.from(section(config, "retention")), MetricsSettings.from(section(config, "metrics")),
        NodeLifecycle.Settings.from(section(config, "shutdown")),
        InstancesSettings.from(section(config, "instances")), GuardSettings.from(section(config, "guards")),
        SecretsSettings.from(section(config, "secrets")));
  }

  private static JsonObject section(JsonObject config, String name) {
    return config.getJsonObject(name, new JsonObject());
  }
}
