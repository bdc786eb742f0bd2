package io.iiifaws.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.iiifaws.api.Condition;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.Phase;
import io.iiifaws.api.SourceStatus.SkippedEntry;
import io.iiifaws.testing.FaultyAws;
import io.iiifaws.testing.GoIiifDouble;
import io.iiifaws.testing.OperatorHarness;
import io.iiifaws.testing.Specs;
import io.iiifaws.testing.TaskView;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/** Jobs over an S3 prefix or a manifest in moto's S3: listed once into a snapshot, every image processed once. */
class SourceJobTest {
    OperatorHarness h;
    GoIiifDouble goIiif;
    String bucket;

    @BeforeEach
    void start() throws Exception {
        h = new OperatorHarness();
        goIiif = new GoIiifDouble(h.moto.endpoint());
        bucket = "museum-" + UUID.randomUUID().toString().substring(0, 8);
        goIiif.createBucket(bucket);
        goIiif.runTasksOf(h.aws, origin -> GoIiifDouble.Result.PROCESSED);
    }

    @AfterEach
    void stop() {
        goIiif.close();
        h.close();
    }

    IiifJob sourceJob(String name, String field, Object source) {
        IiifJob job = Specs.with(h.taskJob(name), "source." + field, source);
        job = Specs.with(job, "process.reports", "s3://" + bucket + "/reports/");
        job = Specs.with(job, "batch.size", 100);
        return Specs.with(job, "parallelism", 5);
    }

    void put(String key, String body) {
        goIiif.s3().putObject(p -> p.bucket(bucket).key(key), RequestBody.fromString(body));
    }

    /** The URIs go-iiif got, from every task launched, in the emulator's own record. */
    List<String> processed() {
        List<String> uris = new ArrayList<>();
        for (TaskView task : h.aws.launched()) {
            List<String> argv = task.command();
            for (String argument : argv.subList(argv.indexOf("--") + 1, argv.size())) {
                String path = URI.create(argument).getRawPath().substring(1);
                uris.add(URLDecoder.decode(path, StandardCharsets.UTF_8));
            }
        }
        return uris;
    }

    @Test
    void aPrefixOf5000KeysIsProcessedExactlyOnceAcrossACrashMidListingAndOneMidRun() throws Exception {
        Set<String> images = new TreeSet<>();
        List<String> keys = new ArrayList<>();
        String[] suffixes = {".jpg", ".TIF", ".png", ".jpeg", ".txt", ".json", ".xml", ".JPG", ".tiff", ".md"};
        for (int i = 0; i < 5000; i++) {
            String suffix = suffixes[i % suffixes.length];
            String name = String.format("box-%02d/IMG_%05d%s", i % 7, i, suffix);
            keys.add("accessions/2024/" + name);
            if (!List.of(".txt", ".json", ".xml", ".md").contains(suffix)) {
                images.add(name);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (String key : keys) {
            pool.submit(() -> put(key, "image"));
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
        put("accessions/elsewhere.jpg", "not under the prefix");

        // The third page of the listing waits until the first operator is gone.
        CountDownLatch crashed = new CountDownLatch(1);
        AtomicInteger pages = new AtomicInteger();
        AtomicBoolean holding = new AtomicBoolean(true);
        h.aws.hook(new FaultyAws.Hook() {
            @Override
            public boolean before(String operation, JsonNode request) {
                if (operation.equals("ListObjectsV2") && holding.get() && pages.incrementAndGet() == 3) {
                    try {
                        crashed.await(1, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return false;
                }
                return true;
            }
        });
        h.start();
        h.create(sourceJob("accession", "s3", Map.of("bucket", bucket, "prefix", "accessions/2024/")));

        IiifJob listing = h.await(
                "accession",
                j -> j.getStatus() != null
                        && j.getStatus().source() != null
                        && j.getStatus().source().batches() >= 10,
                Duration.ofSeconds(60));
        assertThat(listing.getStatus().source().isListed()).isFalse();
        assertThat(listing.getStatus()
                        .condition(Condition.LISTING)
                        .orElseThrow()
                        .isTrue())
                .isTrue();
        h.stop();
        holding.set(false);
        crashed.countDown();

        h.start();
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .until(() -> h.aws.launched().size() >= 20);
        h.stop();

        h.start();
        IiifJob done = h.awaitFinished("accession", Duration.ofMinutes(3));

        assertThat(done.getStatus().phase())
                .as("%s", done.getStatus().conditions())
                .isEqualTo(Phase.Succeeded);
        List<String> given = processed();
        Map<String, Integer> times = new HashMap<>();
        given.forEach(uri -> times.merge(uri, 1, Integer::sum));
        assertThat(times.keySet()).isEqualTo(images);
        assertThat(times.values()).containsOnly(1);
        assertThat(h.aws.launched()).hasSize(30);
        var source = done.getStatus().source();
        assertThat(source.uris()).isEqualTo(3000);
        assertThat(source.batches()).isEqualTo(30);
        assertThat(source.skipped()).isZero();
        assertThat(done.getStatus().batchesDone().ranges()).isEqualTo("0-29");
        assertThat(done.getStatus().batches()).isEmpty();
        assertThat(done.getStatus().images().processed()).isEqualTo(3000);
        assertThat(done.getStatus().imageProgress()).isEqualTo("3000/3000");
        assertThat(done.getStatus().tasks()).hasSizeLessThanOrEqualTo(JobProgress.SOURCE_FINISHED_TASKS);
        String uid = done.getMetadata().getUid();
        assertThat(done.getStatus().results())
                .isEqualTo("s3://" + bucket + "/reports/test/accession/" + uid + "/results/");
        var results = goIiif.s3()
                .listObjectsV2(r -> r.bucket(bucket).prefix("reports/test/accession/" + uid + "/results/"))
                .contents();
        assertThat(results).hasSize(30);
        String first = goIiif.s3()
                .getObjectAsBytes(r -> r.bucket(bucket).key(results.get(0).key()))
                .asUtf8String();
        assertThat(first.lines()).hasSize(100).allSatisfy(line -> assertThat(line)
                .contains("\"outcome\":\"processed\"", "\"derivatives\":4"));
    }

    @Test
    void aManifestSkipsAndReportsWhatGoIiifCannotTakeAndProcessesTheRestOnce() {
        put(
                "lists/accession.txt",
                "red flower.jpg\n\n# scanned 2024\ncollection/IMG_0084.JPG\r\nred flower.jpg\n-rf.jpg\n100%.jpg\nplain.jpg");
        h.start();
        h.create(sourceJob("from-list", "manifest", Map.of("uri", "s3://" + bucket + "/lists/accession.txt")));

        IiifJob done = h.awaitFinished("from-list");

        assertThat(done.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(processed()).containsExactly("red flower.jpg", "collection/IMG_0084.JPG", "plain.jpg");
        var source = done.getStatus().source();
        assertThat(source.uris()).isEqualTo(3);
        assertThat(source.skipped()).isEqualTo(3);
        assertThat(source.skippedExamples())
                .extracting(SkippedEntry::entry)
                .containsExactly("red flower.jpg", "-rf.jpg", "100%.jpg");
        assertThat(source.skippedExamples().get(0).reason()).isEqualTo("is the image of an earlier entry again");
        assertThat(source.skippedExamples().get(1).reason()).contains("read as a flag");
        assertThat(done.getStatus().condition(Condition.LISTING).orElseThrow().message())
                .contains("3 URIs in 1 batches, 3 entries skipped");
        assertThat(h.events("from-list"))
                .filteredOn(e -> e.getReason().equals("Listed"))
                .singleElement()
                .satisfies(e -> assertThat(e.getNote()).contains("'-rf.jpg' starts with '-'"));
    }

    @Test
    void anS3InventoryReportGivesItsUrlEncodedKeysDecoded() {
        put(
                "inventory/data/part-0.csv",
                "\"" + bucket + "\",\"red+flower.jpg\",\"12\"\n\"" + bucket + "\",\"Caf%C3%A9+de+Fl%C3%B8re.TIF\"\n\""
                        + bucket + "\",\"notes.txt\"\nnot a csv line\n");
        h.start();
        h.create(sourceJob(
                "from-inventory",
                "manifest",
                Map.of("uri", "s3://" + bucket + "/inventory/data/part-0.csv", "format", "Inventory")));

        IiifJob done = h.awaitFinished("from-inventory");

        assertThat(done.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(processed()).containsExactly("red flower.jpg", "Café de Fløre.TIF");
        assertThat(done.getStatus().source().skippedExamples()).singleElement().satisfies(s -> assertThat(s.reason())
                .contains("not a CSV line"));
    }

    @Test
    void aPrefixWithoutImagesFailsSayingSo() {
        put("empty/notes.txt", "no image here");
        h.start();
        h.create(sourceJob("nothing", "s3", Map.of("bucket", bucket, "prefix", "empty/")));

        IiifJob done = h.awaitFinished("nothing");

        assertThat(done.getStatus().phase()).isEqualTo(Phase.Failed);
        assertThat(done.getStatus().condition(Condition.FAILED).orElseThrow().reason())
                .isEqualTo("NoImages");
        assertThat(h.aws.launched()).isEmpty();
    }
}
