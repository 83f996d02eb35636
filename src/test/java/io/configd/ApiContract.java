package io.configd;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The node's OpenAPI document (src/main/resources/openapi.json) as a check on answers: every answer TestNode receives
 * for a documented operation must have a documented status and content type, and a JSON body that validates against
 * the schema (vertx-json-schema, draft 2020-12). Component schemas are registered under https://configd.io/schemas/.
 */
public final class ApiContract {

  private static final String SCHEMAS = "https://configd.io/schemas/";
  private static final ApiContract INSTANCE = new ApiContract();

  private final JsonObject document;
  private final SchemaRepository repository;
  private final List<Operation> paths = new ArrayList<>();
  private final Map<String, io.vertx.json.schema.Validator> validators = new ConcurrentHashMap<>();
  private final JsonSchemaOptions options = new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
      .setBaseUri("https://configd.io/").setOutputFormat(OutputFormat.Basic);

  private record Operation(String template, Pattern pattern, JsonObject item) {
  }

  private ApiContract() {
    try (InputStream in = ApiContract.class.getResourceAsStream("/openapi.json")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("#/components/schemas/", SCHEMAS);
      document = new JsonObject(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    repository = SchemaRepository.create(options);
    document.getJsonObject("components").getJsonObject("schemas")
        .forEach(schema -> repository.dereference(SCHEMAS + schema.getKey(), JsonSchema.of((JsonObject) schema.getValue())));
    document.getJsonObject("paths").forEach(path -> {
      JsonObject item = (JsonObject) path.getValue();
      String regex = item.getString("x-configd-regex", "^" + path.getKey().replaceAll("\\{[^}]+}", "[^/]+") + "$");
      paths.add(new Operation(path.getKey(), Pattern.compile(regex), item));
    });
    // as the router tries them: literal paths (/eventbus/websocket before /eventbus/{sockjs}), then the regex routes
    // (the Spring Cloud Config files before /config/{application}/{profiles}), then templates
    paths.sort(Comparator.comparingInt((Operation op) -> op.item().containsKey("x-configd-regex") ? 1
        : op.template().contains("{") ? 2 : 0));
  }

  public static ApiContract instance() {
    return INSTANCE;
  }

  public JsonObject document() {
    return document;
  }

  /** Fails with what is wrong when the answer to METHOD uri is not one the document allows. */
  public void check(HttpMethod method, String uri, HttpResponse<Buffer> response) {
    String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
    Operation found = paths.stream().filter(op -> op.pattern().matcher(path).matches()).findFirst().orElse(null);
    JsonObject operation = found == null ? null : found.item().getJsonObject(method.name().toLowerCase());
    String where = method + " " + path + (found == null ? "" : " (" + found.template() + ")") + " answered "
        + response.statusCode();
    if (operation == null) {
      if (response.statusCode() >= 400) {
        validate(where, SCHEMAS + "Problem", response);
      }
      return;
    }
    JsonObject responses = operation.getJsonObject("responses");
    JsonObject documented = responses.getJsonObject(Integer.toString(response.statusCode()),
        response.statusCode() >= 400 ? responses.getJsonObject("default") : null);
    if (documented == null) {
      throw new AssertionError(where + ", a status openapi.json does not document for it");
    }
    Buffer body = response.body();
    JsonObject content = documented.getJsonObject("content");
    if (body == null || body.length() == 0) {
      return;
    }
    String type = response.getHeader("Content-Type");
    String mediaType = type == null ? "" : type.split(";")[0].trim();
    if (content == null || !content.containsKey(mediaType)) {
      throw new AssertionError(where + " with Content-Type " + type + ", which openapi.json does not document: "
          + (content == null ? "no body" : content.fieldNames()));
    }
    if (mediaType.endsWith("json")) {
      JsonObject schema = content.getJsonObject(mediaType).getJsonObject("schema");
      validate(where, schema, response);
    }
  }

  private void validate(String where, Object schema, HttpResponse<Buffer> response) {
    String key = schema instanceof String ref ? ref : ((JsonObject) schema).encode();
    io.vertx.json.schema.Validator validator = validators.computeIfAbsent(key, k -> repository.validator(
        JsonSchema.of(schema instanceof String ref ? new JsonObject().put("$ref", ref) : (JsonObject) schema), options));
    Object body;
    try {
      body = Json.decodeValue(response.bodyAsString());
    } catch (RuntimeException e) {
      throw new AssertionError(where + " with a body that is not JSON: " + response.bodyAsString());
    }
    OutputUnit result = validator.validate(body);
    if (!result.getValid()) {
      throw new AssertionError(where + " with a body that does not validate against openapi.json: " + result.toJson()
          .encode() + "\n  body: " + abbreviated(response.bodyAsString()));
    }
  }

  private static String abbreviated(String text) {
    return text.length() > 500 ? text.substring(0, 500) + "…" : text;
  }
}
