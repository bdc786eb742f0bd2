package io.iiifaws.lambda;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * S3 event notification documents: built for a list of URIs (what Invoke mode sends), and read
 * back into object keys, directly or wrapped in SNS and SQS messages as S3 delivers them.
 */
public final class S3Events {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** SQS carrying SNS carrying S3 is the deepest nesting S3 notifications take. */
    private static final int MAX_DEPTH = 4;

    private S3Events() {}

    /**
     * An S3 event with one ObjectCreated record per URI. Keys are URL-encoded the way S3 encodes
     * them, so a reader that decodes (as the iiif-aws handler does) gets the URI back exactly.
     */
    public static String forUris(List<String> uris, String region, String bucket) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (String uri : uris) {
            ObjectNode record = records.addObject();
            record.put("eventVersion", "2.1");
            record.put("eventSource", "aws:s3");
            record.put("awsRegion", region);
            record.put("eventName", "ObjectCreated:Put");
            ObjectNode s3 = record.putObject("s3");
            s3.put("s3SchemaVersion", "1.0");
            if (bucket != null) {
                s3.putObject("bucket").put("name", bucket).put("arn", "arn:aws:s3:::" + bucket);
            }
            s3.putObject("object").put("key", encodeKey(uri));
        }
        try {
            return JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** S3's encoding of keys in events: form encoding, with '/' left alone. */
    public static String encodeKey(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/");
    }

    /**
     * What a notification holds.
     *
     * @param created decoded keys of objects created (and of records that do not say, as
     *     go-iiif-aws's invoke mode sent them)
     * @param ignored decoded keys of other events, such as ObjectRemoved
     * @param unreadable why nested messages (an SQS body, an SNS message) or records could not be
     *     read; one bad message does not spoil the others
     */
    public record Notification(List<String> created, List<String> ignored, List<String> unreadable) {}

    /**
     * The decoded object keys of every S3 record in the document, in order. Accepts S3 events, SNS
     * and SQS events carrying them (SQS bodies may hold an SNS envelope), and S3's test event, which
     * has no keys.
     *
     * @throws IllegalArgumentException when the document itself is not JSON or not one of these
     *     shapes
     */
    public static Notification read(String document) {
        Notification found = new Notification(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        collect(parse(document), found, 0);
        return found;
    }

    /** One message of an SQS batch, as Lambda delivers it. */
    public record SqsMessage(String messageId, String body) {}

    /**
     * The messages of an SQS batch, each to be answered on its own (Lambda's partial batch
     * response); empty when the document is not an SQS batch.
     *
     * @throws IllegalArgumentException when the document is not JSON
     */
    public static List<SqsMessage> sqsMessages(String document) {
        JsonNode records = parse(document).path("Records");
        List<SqsMessage> messages = new ArrayList<>();
        for (JsonNode record : records) {
            if (!"aws:sqs".equals(record.path("eventSource").asText())
                    || !record.path("messageId").isTextual()) {
                return List.of();
            }
            messages.add(new SqsMessage(
                    record.get("messageId").asText(), record.path("body").asText("")));
        }
        return messages;
    }

    /** The created objects' keys of a document that must be readable throughout. */
    public static List<String> objectKeys(String document) {
        Notification found = read(document);
        if (!found.unreadable().isEmpty()) {
            throw new IllegalArgumentException(found.unreadable().get(0));
        }
        return found.created();
    }

    private static void collect(JsonNode node, Notification found, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("event nests messages more than " + MAX_DEPTH + " deep");
        }
        if (node.has("Records") && node.get("Records").isArray()) {
            for (JsonNode record : node.get("Records")) {
                try {
                    collectRecord(record, found, depth);
                } catch (IllegalArgumentException e) {
                    found.unreadable().add(e.getMessage());
                }
            }
            return;
        }
        if (node.path("Type").asText().equals("Notification")
                && node.path("Message").isTextual()) {
            collect(parse(node.get("Message").asText()), found, depth + 1);
            return;
        }
        if (node.path("Event").asText().equals("s3:TestEvent")) {
            return;
        }
        throw new IllegalArgumentException("not an S3, SNS or SQS event: it has no Records");
    }

    private static void collectRecord(JsonNode record, Notification found, int depth) {
        String source = record.has("eventSource")
                ? record.path("eventSource").asText()
                : record.path("EventSource").asText();
        switch (source) {
            case "aws:sns" -> collect(parse(record.path("Sns").path("Message").asText()), found, depth + 1);
            case "aws:sqs" -> collect(parse(record.path("body").asText()), found, depth + 1);
            default -> {
                // go-iiif-aws's Invoke mode sent records with only s3.object.key set.
                JsonNode key = record.path("s3").path("object").path("key");
                if (!key.isTextual()) {
                    throw new IllegalArgumentException(
                            source.equals("aws:s3")
                                    ? "S3 record without s3.object.key"
                                    : "record from '" + source + "' is not from S3, SNS or SQS");
                }
                String eventName = record.path("eventName").asText("");
                (eventName.isEmpty() || eventName.startsWith("ObjectCreated") ? found.created() : found.ignored())
                        .add(decodeKey(key.asText()));
            }
        }
    }

    private static String decodeKey(String key) {
        try {
            return URLDecoder.decode(key, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("object key '" + key + "' is not URL-encoded as S3 encodes keys");
        }
    }

    private static JsonNode parse(String document) {
        try {
            JsonNode node = JSON.readTree(document);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("event is not a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event is not JSON: " + e.getOriginalMessage());
        }
    }
}
