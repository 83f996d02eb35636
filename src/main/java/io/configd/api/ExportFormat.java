package io.configd.api;

import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The formats of GET /v1/export and POST /v1/import: a flat map of whole keys to values, so that what is exported
 * imports back unchanged. JSON: one object {"key": value}; YAML: one mapping key: value (values in YAML's own form);
 * .properties: key=value, a string written as it is unless it reads as JSON, anything else as JSON.
 */
enum ExportFormat {
  JSON("application/json", "json"),
  YAML("application/yaml", "yaml"),
  PROPERTIES("text/plain; charset=utf-8", "properties");

  private final String contentType;
  private final String extension;

  ExportFormat(String contentType, String extension) {
    this.contentType = contentType;
    this.extension = extension;
  }

  String contentType() {
    return contentType;
  }

  String extension() {
    return extension;
  }

  /** json (the default), yaml (or yml), properties. */
  static ExportFormat parse(String name) {
    if (name == null || name.isEmpty() || name.equalsIgnoreCase("json")) {
      return JSON;
    }
    if (name.equalsIgnoreCase("yaml") || name.equalsIgnoreCase("yml")) {
      return YAML;
    }
    if (name.equalsIgnoreCase("properties")) {
      return PROPERTIES;
    }
    throw new ConfigdException(Failure.INVALID_PARAMETER, "format must be json, yaml or properties, not '" + name + "'");
  }

  /** @param values by key, in the order to write them */
  String write(Map<String, Object> values) {
    return switch (this) {
      case JSON -> new JsonObject(new LinkedHashMap<>(values)).encodePrettily() + "\n";
      case YAML -> YamlFormat.write(values);
      case PROPERTIES -> PropertiesFormat.write(values);
    };
  }

  /** The values by key, in the text's order; a null value stays null (the caller refuses it). */
  Map<String, Object> read(String text) {
    return switch (this) {
      case JSON -> readJson(text);
      case YAML -> YamlFormat.read(text);
      case PROPERTIES -> PropertiesFormat.read(text);
    };
  }

  private static Map<String, Object> readJson(String text) {
    try {
      return new LinkedHashMap<>(new JsonObject(text).getMap());
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigdException(Failure.INVALID_BODY, "an import in JSON is one object of keys and values, e.g. "
          + "{\"services.payment.pool\": 20}: " + e.getMessage());
    }
  }
}
