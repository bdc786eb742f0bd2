package io.iiifaws.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The buckets of a museum, in the emulator's S3: the source images, go-iiif's config and
 * instructions, and the buckets go-iiif writes its derivatives and reports to.
 */
final class DemoStorage {
    static final String IMAGES = "iiif-demo-images";
    static final String IMAGES_PREFIX = "accessions/";
    static final String DERIVATIVES = "iiif-demo-derivatives";
    static final String DERIVATIVES_PREFIX = "iiif/";
    static final String CONFIG = "iiif-demo-config";
    static final String REPORTS = "iiif-demo-reports";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final S3AsyncClient s3;
    private final String region;

    DemoStorage(S3AsyncClient s3, String region) {
        this.s3 = s3;
        this.region = region;
    }

    /** A Go Cloud bucket URI for go-iiif, whose credentials come from its environment. */
    String goCloud(String bucket, String prefix) {
        return "s3blob://" + bucket + "?" + (prefix.isEmpty() ? "" : "prefix=" + prefix + "&") + "region=" + region
                + "&credentials=env:";
    }

    /** go-iiif's config: the example's, reading the demo's images and writing to its derivatives bucket. */
    String configUri() {
        return "s3blob://" + CONFIG + "/go-iiif/config.json?region=" + region + "&credentials=env:";
    }

    String instructionsUri() {
        return "s3blob://" + CONFIG + "/go-iiif/instructions.json?region=" + region + "&credentials=env:";
    }

    String reportsUri() {
        return "s3://" + REPORTS + "/reports/";
    }

    /** Creates the buckets and puts the images (by key under the images prefix), config and instructions. */
    void prepare(Map<String, byte[]> images) throws IOException {
        for (String bucket : List.of(IMAGES, DERIVATIVES, CONFIG, REPORTS)) {
            s3.createBucket(b -> b.bucket(bucket)).join();
        }
        for (var image : images.entrySet()) {
            put(IMAGES, IMAGES_PREFIX + image.getKey(), image.getValue());
        }
        ObjectNode config = (ObjectNode) JSON.readTree(example("config.json"));
        config.with("images").with("source").put("uri", goCloud(IMAGES, IMAGES_PREFIX));
        config.with("derivatives").with("cache").put("uri", goCloud(DERIVATIVES, DERIVATIVES_PREFIX));
        put(CONFIG, "go-iiif/config.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(config));
        put(CONFIG, "go-iiif/instructions.json", example("instructions.json"));
    }

    /** The derivatives go-iiif wrote: key and size. */
    Map<String, Long> derivatives() {
        Map<String, Long> found = new LinkedHashMap<>();
        s3.listObjectsV2Paginator(r -> r.bucket(DERIVATIVES))
                .contents()
                .subscribe((S3Object o) -> found.put(o.key(), o.size()))
                .join();
        return found;
    }

    private void put(String bucket, String key, byte[] bytes) {
        s3.putObject(p -> p.bucket(bucket).key(key), AsyncRequestBody.fromBytes(bytes))
                .join();
    }

    private static byte[] example(String name) throws IOException {
        try (InputStream in = DemoStorage.class.getResourceAsStream("/examples/go-iiif/" + name)) {
            if (in == null) {
                throw new IOException("examples/go-iiif/" + name + " is not in the jar");
            }
            return in.readAllBytes();
        }
    }
}
