package io.iiifaws.collection;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.iiifaws.goiiif.ImageCheck;
import io.iiifaws.goiiif.ReportLocation;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Each image's outcome for a spec.source job, beyond what status holds: one JSON line an image
 * ({@code uri}, {@code outcome} processed or failed, {@code derivatives} or {@code error}), an
 * object a batch, {@code batch-000000.jsonl}, written when its run's reports are read.
 */
public record Results(ReportLocation location) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public String key(int batch) {
        return location.prefix() + String.format("batch-%06d.jsonl", batch);
    }

    public static String lines(ImageCheck check) {
        StringBuilder text = new StringBuilder();
        for (ImageCheck.Image image : check.images()) {
            ObjectNode line = JSON.createObjectNode().put("uri", image.uri());
            if (image.processed()) {
                line.put("outcome", "processed").put("derivatives", image.derivatives());
            } else {
                line.put("outcome", "failed").put("error", image.problem());
            }
            text.append(line).append('\n');
        }
        return text.toString();
    }

    public CompletableFuture<Void> write(S3AsyncClient s3, int batch, ImageCheck check) {
        return s3.putObject(
                        r -> r.bucket(location.bucket()).key(key(batch)).contentType("application/x-ndjson"),
                        AsyncRequestBody.fromBytes(lines(check).getBytes(StandardCharsets.UTF_8)))
                .thenApply(done -> null);
    }
}
