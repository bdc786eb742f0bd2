package io.iiifaws.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What go-iiif 8's iiif-process does with a task's argv and environment, as far as the operator
 * sees it (facts from the real v8.1.8 binary): with {@code -report}, for each URI argument it writes
 * a report to the bucket that {@code IIIF_REPORT_BUCKET_URI} (or {@code -report-bucket-uri}) names, at
 * its prefix, named {@code process_ + sha256(origin) + .json}, where the origin is the URI's
 * percent-decoded path without its leading '/' (a bare key is taken as {@code file:///KEY}). The
 * reports have the shapes of real go-iiif 8.1.8 reports (test resources go-iiif/v8.1.8/).
 */
public final class GoIiifDouble implements AutoCloseable {
    /** What go-iiif did with one image. */
    public enum Result {
        /** Derivatives written; the report lists them. */
        PROCESSED,
        /** A corrupt, missing or non-image file: go-iiif 8 still writes a report, with no derivatives. */
        FAILED,
        /** No report at all. */
        NO_REPORT
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final S3Client s3;

    public GoIiifDouble(URI endpoint) {
        s3 = S3Client.builder()
                .region(Region.of(OperatorHarness.REGION))
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(OperatorHarness.CREDENTIALS))
                .build();
    }

    public S3Client s3() {
        return s3;
    }

    public void createBucket(String bucket) {
        s3.createBucket(b -> b.bucket(bucket));
    }

    /** Every task that stops through the fault layer has run as go-iiif would, and exits 0. */
    public void runTasksOf(FaultyAws aws, Function<String, Result> results) {
        // Each describe of a stopped task asks its outcome again: the task runs once.
        java.util.Set<String> ran = java.util.concurrent.ConcurrentHashMap.newKeySet();
        aws.outcomes(task -> {
            if (ran.add(task.arn())) {
                run(task, results);
            }
            return TaskOutcome.SUCCESS;
        });
    }

    /** Runs the task as go-iiif would, with the result of each image by its origin. */
    public void run(TaskView task, Function<String, Result> results) {
        run(task.command(), task.environment(), results);
    }

    public void run(List<String> argv, Map<String, String> environment, Function<String, Result> results) {
        int flag = argv.indexOf("-report-bucket-uri");
        String bucketUri = environment.getOrDefault("IIIF_REPORT_BUCKET_URI", flag < 0 ? null : argv.get(flag + 1));
        if (!argv.contains("-report") || bucketUri == null) {
            return;
        }
        URI bucket = URI.create(bucketUri);
        Map<String, String> query = query(bucket.getRawQuery());
        String prefix = query.getOrDefault("prefix", "");
        int firstUri = argv.indexOf("--") + 1;
        List<java.util.concurrent.Future<?>> writes = new java.util.ArrayList<>();
        for (String argument : argv.subList(firstUri, argv.size())) {
            URI uri = URI.create(argument.contains("://") ? argument : "file:///" + argument);
            String origin = uri.getPath().replaceFirst("^/+", "");
            Result result = results.apply(origin);
            if (result == Result.NO_REPORT) {
                continue;
            }
            String key = prefix + "process_" + sha256(origin) + ".json";
            // As go-iiif does, several images at a time.
            writes.add(WRITERS.submit(() -> s3.putObject(
                    p -> p.bucket(bucket.getHost()).key(key), RequestBody.fromString(report(origin, result)))));
        }
        for (var write : writes) {
            try {
                write.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    private static final java.util.concurrent.ExecutorService WRITERS =
            java.util.concurrent.Executors.newFixedThreadPool(8, r -> {
                Thread thread = new Thread(r, "go-iiif-double");
                thread.setDaemon(true);
                return thread;
            });

    static String report(String origin, Result result) {
        ObjectNode report = (ObjectNode)
                resource(result == Result.PROCESSED ? "processed-avocado.png.json" : "failed-corrupt.jpg.json");
        report.put("origin", origin);
        report.put(
                "origin_uri",
                "file:///" + origin + "?target=" + java.net.URLEncoder.encode("/" + origin, StandardCharsets.UTF_8));
        if (result == Result.PROCESSED) {
            ObjectNode uris = report.putObject("uris");
            for (var label : List.of("b", "o", "s", "t")) {
                uris.put(label, "file:///" + origin + "/" + label + "/0/color.jpg");
            }
        }
        return report.toString();
    }

    public static com.fasterxml.jackson.databind.JsonNode resource(String name) {
        try (var in = GoIiifDouble.class.getResourceAsStream("/go-iiif/v8.1.8/" + name)) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> params = new java.util.LinkedHashMap<>();
        if (raw == null) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            params.put(
                    URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        s3.close();
    }
}
