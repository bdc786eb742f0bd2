package io.iiifaws.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.oas.OpenApi30;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.projectnessie.cel.checker.Decls;
import org.projectnessie.cel.tools.ScriptHost;

/**
 * What an API server checks of a custom resource against the CRD, for tests: the OpenAPI schema
 * (types, required, enums, patterns, sizes) and the x-kubernetes-validations CEL rules, including
 * transition rules against the old object. The fabric8 mock server checks none of it.
 */
public final class CrdAdmission {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private final JsonNode schemaNode;
  private final JsonSchema schema;
  private final ScriptHost cel = ScriptHost.newBuilder().build();

  public CrdAdmission(Path crd) throws IOException {
    JsonNode document = YAML.readTree(Files.readString(crd));
    schemaNode = document.path("spec").path("versions").path(0).path("schema").path("openAPIV3Schema");
    JsonSchemaFactory factory =
        JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4,
            b -> b.metaSchema(OpenApi30.getInstance()).defaultMetaSchemaIri(OpenApi30.getInstance().getIri()));
    schema = factory.getSchema(schemaNode);
  }

  public static JsonNode yaml(String text) throws IOException {
    return YAML.readTree(text);
  }

  /** The problems with a new object; empty when it would be admitted. */
  public List<String> problems(JsonNode object) {
    return problems(object, null);
  }

  /** The problems with an update from {@code old} to {@code object}. */
  public List<String> problems(JsonNode object, JsonNode old) {
    JsonNode defaulted = object.deepCopy();
    applyDefaults(schemaNode, defaulted);
    JsonNode oldDefaulted = old == null ? null : old.deepCopy();
    if (oldDefaulted != null) {
      applyDefaults(schemaNode, oldDefaulted);
    }
    List<String> problems = new ArrayList<>();
    for (ValidationMessage m : schema.validate(defaulted)) {
      problems.add(m.getMessage());
    }
    rules(schemaNode, defaulted, oldDefaulted, "$", problems);
    return problems;
  }

  /** As the API server does before validating: absent fields with a default get it. */
  private static void applyDefaults(JsonNode schemaAt, JsonNode value) {
    if (value instanceof com.fasterxml.jackson.databind.node.ObjectNode object) {
      JsonNode properties = schemaAt.path("properties");
      for (Iterator<String> names = properties.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        JsonNode property = properties.get(name);
        if (!object.has(name) && property.has("default")) {
          object.set(name, property.get("default").deepCopy());
        }
        if (object.has(name)) {
          applyDefaults(property, object.get(name));
        }
      }
    } else if (value != null && value.isArray() && schemaAt.has("items")) {
      value.forEach(item -> applyDefaults(schemaAt.get("items"), item));
    }
  }

  private void rules(JsonNode schemaAt, JsonNode value, JsonNode old, String path, List<String> problems) {
    if (value == null || value.isMissingNode() || value.isNull()) {
      return;
    }
    for (JsonNode rule : schemaAt.path("x-kubernetes-validations")) {
      String expression = rule.path("rule").asText();
      boolean transition = expression.contains("oldSelf");
      if (transition && old == null) {
        continue;
      }
      try {
        Map<String, Object> vars = new HashMap<>();
        vars.put("self", JSON.convertValue(value, Object.class));
        if (transition) {
          vars.put("oldSelf", JSON.convertValue(old, Object.class));
        }
        var script = cel.buildScript(expression)
            .withDeclarations(Decls.newVar("self", Decls.Dyn), Decls.newVar("oldSelf", Decls.Dyn))
            .build();
        if (!Boolean.TRUE.equals(script.execute(Boolean.class, vars))) {
          problems.add(path + ": " + rule.path("message").asText(expression));
        }
      } catch (Exception e) {
        problems.add(path + ": rule '" + expression + "' could not be evaluated: " + e.getMessage());
      }
    }
    JsonNode properties = schemaAt.path("properties");
    for (Iterator<String> names = properties.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      rules(properties.get(name), value.get(name), old == null ? null : old.get(name), path + "." + name, problems);
    }
    if (value.isArray() && schemaAt.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        rules(schemaAt.get("items"), value.get(i), null, path + "[" + i + "]", problems);
      }
    }
  }
}
