package io.iiifaws.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeRequest;

/** Invokes a function with an S3 event for a list of URIs, as go-iiif-aws's invoke mode did. */
public final class LambdaInvoker {
    /** Lambda's payload limit for synchronous invocations. */
    public static final int SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
    /** Lambda's payload limit for asynchronous (Event) invocations. */
    public static final int ASYNC_PAYLOAD_LIMIT = 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LambdaAsyncClient lambda;

    public LambdaInvoker(LambdaAsyncClient lambda) {
        this.lambda = lambda;
    }

    /**
     * What Lambda answered.
     *
     * @param functionError Handled or Unhandled when the function failed, else null
     * @param payload the function's answer (or error document), as text
     */
    public record Result(int statusCode, String functionError, String executedVersion, String payload) {
        public boolean failed() {
            return functionError != null || statusCode < 200 || statusCode > 299;
        }

        /** The ECS task named by the answer, as go-iiif-aws's function answers: {"TaskId": "arn:…"}. */
        public Optional<String> taskArn() {
            JsonNode id = answer().path("TaskId");
            if (id.isTextual()) {
                String arn = id.asText();
                return arn.startsWith("arn:") && arn.contains(":task/") ? Optional.of(arn) : Optional.empty();
            }
            return Optional.empty();
        }

        /**
         * Where the first task's go-iiif writes its reports, and the URIs it got, as the iiif-aws
         * handler answers them ({"Reports": ["s3://…"], "URIs": […]}).
         */
        public Optional<Map.Entry<String, List<String>>> reports() {
            JsonNode answer = answer();
            JsonNode first = answer.path("Reports").path(0);
            if (!first.isTextual() || !answer.path("URIs").isArray()) {
                return Optional.empty();
            }
            List<String> uris = new ArrayList<>();
            answer.path("URIs").forEach(u -> uris.add(u.asText()));
            return Optional.of(Map.entry(first.asText(), List.copyOf(uris)));
        }

        private JsonNode answer() {
            try {
                JsonNode answer = JSON.readTree(payload == null ? "" : payload);
                return answer == null ? JSON.missingNode() : answer;
            } catch (java.io.IOException e) {
                return JSON.missingNode();
            }
        }
    }

    public static int limitFor(InvocationType type) {
        return type == InvocationType.EVENT ? ASYNC_PAYLOAD_LIMIT : SYNC_PAYLOAD_LIMIT;
    }

    public CompletableFuture<Result> invoke(String function, String qualifier, InvocationType type, String payload) {
        var request = InvokeRequest.builder()
                .functionName(function)
                .invocationType(type)
                .payload(SdkBytes.fromString(payload, StandardCharsets.UTF_8));
        if (qualifier != null) {
            request.qualifier(qualifier);
        }
        return lambda.invoke(request.build())
                .thenApply(r -> new Result(
                        r.statusCode(),
                        r.functionError(),
                        r.executedVersion(),
                        r.payload() == null ? null : r.payload().asUtf8String()));
    }
}
