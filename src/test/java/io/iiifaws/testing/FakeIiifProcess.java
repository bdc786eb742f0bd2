package io.iiifaws.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A stand-in for go-iiif's iiif-process in tests of the demo's local runs, doing what the real
 * one does as far as iiif-aws can see (facts from go-iiif 8.1.8): it reads its config from the
 * {@code -config-source} bucket, reads each image from the config's images source, writes
 * derivatives under the image's own key in the derivatives cache, and a report per image to
 * {@code IIIF_REPORT_BUCKET_URI}, the one of an image it cannot decode with no derivatives, and
 * exits 0 either way; 1 when its config cannot be read. Only s3blob:// buckets, through
 * AWS_ENDPOINT_URL.
 */
public final class FakeIiifProcess {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeIiifProcess() {}

    public static void main(String[] args) throws IOException {
        List<String> argv = List.of(args);
        Map<String, String> env = System.getenv();
        try (S3Client s3 = S3Client.builder()
                .region(Region.of(env.get("AWS_REGION")))
                .endpointOverride(URI.create(env.get("AWS_ENDPOINT_URL")))
                .forcePathStyle(true)
                .credentialsProvider(EnvironmentVariableCredentialsProvider.create())
                .build()) {
            JsonNode config;
            try {
                config = JSON.readTree(read(s3, flag(argv, "-config-source"), flag(argv, "-config-name")));
            } catch (RuntimeException e) {
                System.err.println("Failed to load config source: " + e.getMessage());
                System.exit(1);
                return;
            }
            String images = config.path("images").path("source").path("uri").asText();
            String derivatives =
                    config.path("derivatives").path("cache").path("uri").asText();
            String reports = env.get("IIIF_REPORT_BUCKET_URI");
            for (String argument : argv.subList(argv.indexOf("--") + 1, argv.size())) {
                String key = URI.create(argument).getPath().replaceFirst("^/+", "");
                boolean decoded;
                try {
                    decoded = decodes(read(s3, images, key));
                } catch (RuntimeException | IOException e) {
                    decoded = false;
                }
                if (!decoded) {
                    System.err.println("ERROR Failed to process " + argument + " (o) : Failed to decode image");
                } else {
                    write(s3, derivatives, key + "/full/full/-1/color.jpg", "derivative of " + key);
                }
                if (reports != null && argv.contains("-report")) {
                    String report = GoIiifDouble.report(
                            key, decoded ? GoIiifDouble.Result.PROCESSED : GoIiifDouble.Result.FAILED);
                    write(s3, reports, "process_" + GoIiifDouble.sha256(key) + ".json", report);
                }
            }
        }
    }

    /** As go's decoders: a JPEG must end in its EOI marker ("EOI not encountered before EOF"). */
    private static boolean decodes(byte[] bytes) throws IOException {
        boolean jpeg = bytes.length > 2 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xd8;
        if (jpeg && ((bytes[bytes.length - 2] & 0xff) != 0xff || (bytes[bytes.length - 1] & 0xff) != 0xd9)) {
            return false;
        }
        return ImageIO.read(new ByteArrayInputStream(bytes)) != null;
    }

    private static String flag(List<String> argv, String name) {
        return argv.get(argv.indexOf(name) + 1);
    }

    private static byte[] read(S3Client s3, String bucketUri, String key) {
        URI bucket = URI.create(bucketUri);
        String prefix = GoIiifDouble.query(bucket.getRawQuery()).getOrDefault("prefix", "");
        return s3.getObjectAsBytes(g -> g.bucket(bucket.getHost()).key(prefix + key))
                .asByteArray();
    }

    private static void write(S3Client s3, String bucketUri, String key, String content) {
        URI bucket = URI.create(bucketUri);
        String prefix = GoIiifDouble.query(bucket.getRawQuery()).getOrDefault("prefix", "");
        s3.putObject(p -> p.bucket(bucket.getHost()).key(prefix + key), RequestBody.fromString(content));
    }
}
