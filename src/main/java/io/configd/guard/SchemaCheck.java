package io.configd.guard;

import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaException;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON Schema draft 2020-12 with vertx-json-schema: a schema document is checked against the draft's meta-schema
 * (and its references resolved) before it is accepted; a value's failures are reported as the leaf rules it broke,
 * each with its location in the value (a JSON Pointer) and in the schema.
 */
public final class SchemaCheck {

  static final String META_SCHEMA = "https://json-schema.org/draft/2020-12/schema";
  private static final JsonSchemaOptions OPTIONS = new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
      .setBaseUri("https://configd.invalid/").setOutputFormat(OutputFormat.Basic);

  private final Validator meta;

  /** Reads the bundled meta-schemas from the class path once (blocking: at node start-up). */
  public SchemaCheck(Vertx vertx) {
    meta = SchemaRepository.create(OPTIONS).preloadMetaSchema(vertx.fileSystem(), Draft.DRAFT202012)
        .validator(META_SCHEMA);
  }

  /** The validator of a schema document; INVALID_SCHEMA (400) saying what is wrong when it is not a valid one. */
  public Validator compile(JsonObject document) {
    Object declared = document.getValue("$schema");
    if (declared != null && !(declared instanceof String text && text.replaceAll("#$", "").equals(META_SCHEMA))) {
      throw new ConfigdException(Failure.INVALID_SCHEMA, "'$schema' must be " + META_SCHEMA + " (draft 2020-12, the "
          + "only draft configd validates) or left out, not " + declared);
    }
    OutputUnit checked = meta.validate(document);
    if (!checked.getValid()) {
      List<String> problems = leaves(checked).stream()
          .map(unit -> pointer(unit.getInstanceLocation()) + ": " + unit.getError()).toList();
      throw new ConfigdException(Failure.INVALID_SCHEMA, "the schema is not a valid JSON Schema (draft 2020-12): "
          + String.join("; ", problems), new JsonObject().put("errors", new JsonArray(problems)));
    }
    try {
      Validator validator = Validator.create(JsonSchema.of(document.copy()), OPTIONS);
      validator.validate(null); // resolves every $ref: one that points nowhere (or off this document) is refused now
      return validator;
    } catch (SchemaException | IllegalArgumentException e) {
      String why = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse(e.toString());
      throw new ConfigdException(Failure.INVALID_SCHEMA, "the schema cannot be used: " + why + " (a $ref may only "
          + "point inside the schema itself)");
    }
  }

  /** The rules a value breaks, empty when it satisfies the schema: each {location, keyword, schemaLocation, message}. */
  public static List<JsonObject> failures(Validator validator, Object value) {
    OutputUnit result;
    try {
      result = validator.validate(value);
    } catch (SchemaException e) {
      return List.of(new JsonObject().put("location", "").put("keyword", "$ref").put("schemaLocation", "")
          .put("message", "the schema could not be applied: " + e.getMessage().lines().findFirst().orElse("")));
    }
    if (result.getValid()) {
      return List.of();
    }
    List<JsonObject> failures = new ArrayList<>();
    for (OutputUnit unit : leaves(result)) {
      String keywordLocation = unit.getKeywordLocation() == null ? "#" : unit.getKeywordLocation();
      String keyword = keywordLocation.substring(keywordLocation.lastIndexOf('/') + 1);
      failures.add(new JsonObject().put("location", pointer(unit.getInstanceLocation())).put("keyword", keyword)
          .put("schemaLocation", pointer(keywordLocation)).put("message", unit.getError()));
    }
    return failures;
  }

  /**
   * The errors no other error lies below (in the schema): "property pool_size does not match" is left out when its
   * reason, "expected integer" at properties/pool_size/type, is listed.
   */
  private static List<OutputUnit> leaves(OutputUnit result) {
    List<OutputUnit> errors = result.getErrors() == null ? List.of() : result.getErrors();
    List<OutputUnit> leaves = new ArrayList<>();
    for (OutputUnit error : errors) {
      String at = error.getKeywordLocation() == null ? "" : error.getKeywordLocation();
      boolean explained = errors.stream().anyMatch(other -> other != error && other.getKeywordLocation() != null
          && other.getKeywordLocation().startsWith(at + "/")
          && java.util.Objects.equals(other.getInstanceLocation(), error.getInstanceLocation()));
      if (!explained) {
        leaves.add(error);
      }
    }
    if (leaves.isEmpty()) {
      leaves.add(new OutputUnit().setInstanceLocation("#").setKeywordLocation("#").setError(
          result.getError() == null ? "does not match the schema" : result.getError()));
    }
    return leaves;
  }

  /** "#/pool_size" as the JSON Pointer "/pool_size" ("" for the whole value). */
  private static String pointer(String fragment) {
    if (fragment == null || fragment.equals("#")) {
      return "";
    }
    return fragment.startsWith("#") ? fragment.substring(1) : fragment;
  }
}
