package io.iiifaws.collection;

import io.iiifaws.goiiif.ReportLocation;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * A job's snapshot of its URIs in S3: one object a batch, {@code batch-000000.txt} and on, each a
 * URI a line as go-iiif gets it. A batch's object is written before status counts the batch, and
 * never after: every run, retry and operator works from the same URIs.
 */
public record Snapshot(ReportLocation location) {
    public String key(int batch) {
        return location.prefix() + String.format("batch-%06d.txt", batch);
    }

    public CompletableFuture<Void> write(S3AsyncClient s3, int batch, List<String> uris) {
        byte[] body = (String.join("\n", uris) + "\n").getBytes(StandardCharsets.UTF_8);
        return s3.putObject(
                        r -> r.bucket(location.bucket()).key(key(batch)).contentType("text/plain; charset=utf-8"),
                        AsyncRequestBody.fromBytes(body))
                .thenApply(done -> null);
    }

    /** The snapshot as a listing's store, written and read with blocking calls. */
    public SourceListing.Store store(S3AsyncClient s3) {
        return new SourceListing.Store() {
            @Override
            public void write(int batch, List<String> uris) {
                Snapshot.this.write(s3, batch, uris).join();
            }

            @Override
            public List<String> read(int batch) {
                return Snapshot.this.read(s3, batch).join();
            }
        };
    }

    public CompletableFuture<List<String>> read(S3AsyncClient s3, int batch) {
        return s3.getObject(r -> r.bucket(location.bucket()).key(key(batch)), AsyncResponseTransformer.toBytes())
                .thenApply(bytes -> Arrays.stream(bytes.asUtf8String().split("\n"))
                        .filter(line -> !line.isEmpty())
                        .toList());
    }
}
