package io.iiifaws.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads a stored IiifJob into its types. Unknown fields are ignored (a newer CRD's, or a typo the
 * schema let through); in spec, a value that does not fit its field (a number out of range, an
 * enum value this version does not know, a string for a list) is a problem that names the field;
 * in status, which only operators write, an unknown enum value is read as unset.
 *
 * @param job the job with its spec (null when it has a problem) and status (empty when unreadable)
 * @param specProblem why the spec cannot be read, naming the field
 * @param statusProblem why the status could not be read
 */
public record IiifJobBinding(
        IiifJob job, JsonNode storedSpec, Optional<String> specProblem, Optional<String> statusProblem) {
    private static final ObjectMapper SPEC = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();
    private static final ObjectMapper STATUS = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
            .build();

    public static IiifJobBinding of(StoredIiifJob stored) {
        IiifJob job = new IiifJob();
        job.setMetadata(stored.getMetadata());
        Optional<String> specProblem = Optional.empty();
        JsonNode spec = stored.getSpec();
        if (spec == null || spec.isNull() || spec.isMissingNode()) {
            job.setSpec(null);
        } else if (!spec.isObject()) {
            job.setSpec(null);
            specProblem = Optional.of("spec: must be an object, not " + describe(spec));
        } else {
            try {
                job.setSpec(SPEC.treeToValue(spec, IiifJobSpec.class));
            } catch (JsonProcessingException | IllegalArgumentException e) {
                job.setSpec(null);
                specProblem = Optional.of(problem("spec", spec, e));
            }
        }
        Optional<String> statusProblem = Optional.empty();
        JsonNode status = stored.getStatus();
        if (status != null && status.isObject()) {
            try {
                job.setStatus(STATUS.treeToValue(status, IiifJobStatus.class));
            } catch (JsonProcessingException | IllegalArgumentException e) {
                job.setStatus(null);
                statusProblem = Optional.of(problem("status", status, e));
            }
        } else {
            job.setStatus(null);
            if (status != null && !status.isNull() && !status.isMissingNode()) {
                statusProblem = Optional.of("status: must be an object, not " + describe(status));
            }
        }
        return new IiifJobBinding(job, spec, specProblem, statusProblem);
    }

    /** A job bound from its types, as tests and the demo make them. */
    public static IiifJobBinding of(IiifJob job) {
        return new IiifJobBinding(job, SPEC.valueToTree(job.getSpec()), Optional.empty(), Optional.empty());
    }

    /**
     * A text field of the stored spec, read even when the spec as a whole cannot be (so that a job
     * with a bad field still finds the cluster its tasks run in, to stop them).
     */
    public Optional<String> storedText(String... path) {
        JsonNode node = storedSpec;
        for (String field : path) {
            node = node == null ? null : node.get(field);
        }
        return node != null && node.isTextual() && !node.asText().isBlank()
                ? Optional.of(node.asText())
                : Optional.empty();
    }

    /** The status as the stored object's JSON. */
    public static JsonNode toJson(IiifJobStatus status) {
        return status == null ? null : STATUS.valueToTree(status);
    }

    /** "spec.batch.size: 2147483648 is more than 2147483647", and the like. */
    static String problem(String root, JsonNode tree, Exception e) {
        String path = root;
        if (e instanceof JsonMappingException mapping) {
            path = root
                    + mapping.getPath().stream()
                            .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                            .collect(Collectors.joining());
        }
        JsonNode value = at(tree, path.substring(root.length()));
        if (e instanceof InvalidFormatException format
                && format.getTargetType() != null
                && format.getTargetType().isEnum()) {
            String allowed = Arrays.stream(format.getTargetType().getEnumConstants())
                    .map(String::valueOf)
                    .collect(Collectors.joining(", "));
            return path + ": " + describe(value) + " is not one of " + allowed;
        }
        Throwable cause = e.getCause() instanceof InputCoercionException coercion ? coercion : e;
        if (cause instanceof InputCoercionException coercion && value != null && value.isNumber()) {
            Class<?> type = coercion.getTargetType();
            String most = type == Long.TYPE || type == Long.class
                    ? Long.toString(Long.MAX_VALUE)
                    : Integer.toString(Integer.MAX_VALUE);
            return path + ": " + value.asText()
                    + (value.asText().startsWith("-") ? " is out of range" : " is more than " + most);
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return path + ": must be " + kind(mismatch.getTargetType()) + ", not " + describe(value);
        }
        String message = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
        return path + ": " + String.valueOf(message).lines().findFirst().orElse("cannot be read");
    }

    private static JsonNode at(JsonNode tree, String path) {
        JsonNode node = tree;
        for (String part : path.replace("[", ".[").split("\\.")) {
            if (part.isEmpty() || node == null) {
                continue;
            }
            node = part.startsWith("[")
                    ? node.get(Integer.parseInt(part.substring(1, part.length() - 1)))
                    : node.get(part);
        }
        return node;
    }

    private static String kind(Class<?> type) {
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object";
        }
        if (type == Integer.class || type == Long.class || type == Integer.TYPE || type == Long.TYPE) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive() && type != Boolean.TYPE) {
            return "a number";
        }
        if (type == Boolean.class || type == Boolean.TYPE) {
            return "true or false";
        }
        return "a string";
    }

    private static String describe(JsonNode value) {
        if (value == null || value.isNull()) {
            return "null";
        }
        if (value.isTextual()) {
            String text = value.asText();
            return "'" + (text.length() > 60 ? text.substring(0, 60) + "…" : text) + "'";
        }
        if (value.isArray()) {
            return "a list";
        }
        if (value.isObject()) {
            return "an object";
        }
        return value.toString();
    }
}
