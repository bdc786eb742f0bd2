package io.iiifaws.goiiif;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * go-iiif's report on one image, as {@code iiif-process -report} writes it:
 * {@code {"dimensions":{label:[w,h]}, "origin", "origin_fingerprint", "origin_uri", "uris":{label: uri}}}.
 * go-iiif 8 writes one for a failed image too, with {@code dimensions} and {@code uris} empty; go-iiif 1
 * writes only {@code dimensions} and {@code uris}.
 *
 * @param uris the derivative of each label of the instructions, as go-iiif wrote it
 */
public record ProcessReport(String origin, String originUri, String fingerprint, Map<String, String> uris) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public ProcessReport {
        uris = Map.copyOf(uris);
    }

    /** Whether go-iiif derived anything from the image. */
    public boolean derivedAnything() {
        return !uris.isEmpty();
    }

    /** @throws IllegalArgumentException when the text is not a go-iiif report */
    public static ProcessReport parse(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("not readable: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode uris = root.path("uris");
        if (!uris.isMissingNode() && !uris.isObject()) {
            throw new IllegalArgumentException("'uris' is not an object");
        }
        Map<String, String> derivatives = new LinkedHashMap<>();
        uris.fields().forEachRemaining(e -> {
            if (e.getValue().isTextual() && !e.getValue().asText().isEmpty()) {
                derivatives.put(e.getKey(), e.getValue().asText());
            }
        });
        return new ProcessReport(
                text(root, "origin"), text(root, "origin_uri"), text(root, "origin_fingerprint"), derivatives);
    }

    private static String text(JsonNode root, String field) {
        JsonNode node = root.path(field);
        return node.isTextual() ? node.asText() : null;
    }
}
