package io.iiifaws.handler;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.iiifaws.aws.AwsErrors;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Lambda custom runtime: fetches events from the Lambda Runtime API (AWS_LAMBDA_RUNTIME_API),
 * answers each with the handler, and reports handler errors, until the API goes away. This is
 * what {@code iiif-process-ecs -mode lambda} runs, for functions deployed as container images or
 * on the provided.al2023 runtime, and what {@code java -jar iiif-aws-lambda.jar} runs.
 */
public final class LambdaRuntimeLoop {
    private static final Logger log = LoggerFactory.getLogger(LambdaRuntimeLoop.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Answers one event, of the given request id, with a JSON document. */
    public interface Handler {
        String handle(String event, String requestId) throws Exception;
    }

    private final URI api;
    private final Handler handler;
    private final HttpClient http = HttpClient.newHttpClient();

    /** Serves {@link S3EventHandler} on the Runtime API that AWS_LAMBDA_RUNTIME_API names. */
    public static void main(String[] args) throws InterruptedException {
        String runtimeApi = System.getenv("AWS_LAMBDA_RUNTIME_API");
        if (runtimeApi == null || runtimeApi.isBlank()) {
            System.err.println("iiif-aws-lambda: AWS_LAMBDA_RUNTIME_API is not set: this is a Lambda custom runtime;"
                    + " on Lambda's Java runtime use the handler io.iiifaws.handler.S3EventHandler::handleRequest");
            System.exit(2);
        }
        new LambdaRuntimeLoop(runtimeApi, new S3EventHandler()::handleJson).run();
    }

    public LambdaRuntimeLoop(String runtimeApi, Handler handler) {
        this.api = URI.create("http://" + runtimeApi + "/2018-06-01/runtime/");
        this.handler = handler;
    }

    /** Serves events until the Runtime API cannot be reached. */
    public void run() throws InterruptedException {
        while (true) {
            HttpResponse<String> next;
            try {
                next = http.send(
                        HttpRequest.newBuilder(api.resolve("invocation/next"))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                log.info("event=RuntimeApiGone error=\"{}\"", e.getMessage());
                return;
            }
            String requestId =
                    next.headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElse(null);
            if (next.statusCode() != 200 || requestId == null) {
                log.warn("event=RuntimeApiError status={}", next.statusCode());
                return;
            }
            String path = "invocation/" + requestId + "/";
            try {
                post(path + "response", handler.handle(next.body(), requestId));
            } catch (Exception e) {
                String message = AwsErrors.message(e);
                log.warn("event=HandlerError request={} error=\"{}\"", requestId, message);
                try {
                    post(
                            path + "error",
                            JSON.writeValueAsString(Map.of(
                                    "errorMessage",
                                    message,
                                    "errorType",
                                    e.getClass().getSimpleName())));
                } catch (IOException gone) {
                    return;
                }
            }
        }
    }

    private void post(String path, String body) throws IOException, InterruptedException {
        http.send(
                HttpRequest.newBuilder(api.resolve(path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.discarding());
    }
}
