package io.iiifaws.ecs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iiifaws.api.ProcessSpec;
import io.iiifaws.goiiif.ProcessCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchPlannerTest {
    static final ProcessCommand COMMAND = ProcessCommand.of(ProcessSpec.DEFAULTS);
    static final Map<String, String> ENV = Map.of("IIIF_AWS_JOB", "ns/job", "IIIF_AWS_BATCH", "999999");

    static List<String> uris(int count, int length) {
        return IntStream.range(0, count)
                .mapToObj(i -> String.format("%0" + (length - 4) + "d.jpg", i))
                .toList();
    }

    @Test
    void everyBatchStaysWithinTheOverridesLimitAndCoversEachUriOnce() {
        List<String> uris = uris(10_000, 60);
        List<Batch> batches = BatchPlanner.plan(uris, null, COMMAND, java.util.Optional.empty(), "iiif", ENV);

        List<String> covered = new ArrayList<>();
        for (Batch batch : batches) {
            int length = TaskRequest.overridesLength("iiif", COMMAND.argv(batch.uris()), ENV);
            assertThat(length).isLessThanOrEqualTo(TaskRequest.OVERRIDES_LIMIT);
            assertThat(batch.uris())
                    .isEqualTo(uris.subList(batch.range().first(), batch.range().last() + 1));
            covered.addAll(batch.uris());
        }
        assertThat(covered).isEqualTo(uris);
        // Batches are full: adding the next URI to any but the last would cross the limit.
        for (int i = 0; i < batches.size() - 1; i++) {
            List<String> more = new ArrayList<>(batches.get(i).uris());
            more.add(batches.get(i + 1).uris().get(0));
            assertThat(TaskRequest.overridesLength("iiif", COMMAND.argv(more), ENV))
                    .isGreaterThan(TaskRequest.OVERRIDES_LIMIT);
        }
        assertThat(batches.get(1).index()).isEqualTo(1);
    }

    @Test
    void theReportsBucketInTheEnvironmentCountsToo() {
        List<String> uris = uris(2_000, 40);
        var reports =
                java.util.Optional.of(io.iiifaws.goiiif.ReportLocation.parse("s3://museum-iiif/reports/", "us-east-1")
                        .child("museum/accession-2024-17/0b2c4a8e-0000-4000-8000-000000000001")
                        .run(999_999, 999_999));
        List<Batch> batches = BatchPlanner.plan(uris, null, COMMAND, reports, "iiif", ENV);

        Map<String, String> env = new java.util.LinkedHashMap<>(ENV);
        env.putAll(COMMAND.environment(reports));
        for (Batch batch : batches) {
            assertThat(TaskRequest.overridesLength("iiif", COMMAND.argv(batch.uris(), reports), env))
                    .isLessThanOrEqualTo(TaskRequest.OVERRIDES_LIMIT);
        }
        assertThat(batches.stream().mapToInt(b -> b.uris().size()).sum()).isEqualTo(uris.size());
    }

    @Test
    void aBatchSizeCapsTheUrisPerTask() {
        List<Batch> batches = BatchPlanner.plan(uris(10, 10), 3, COMMAND, java.util.Optional.empty(), "iiif", ENV);
        assertThat(batches).extracting(b -> b.uris().size()).containsExactly(3, 3, 3, 1);
        assertThat(batches.get(3).range().first()).isEqualTo(9);
    }

    @Test
    void aUriTooLongForAnyTaskIsNamedByItsPosition() {
        List<String> uris = List.of("a.jpg", "b".repeat(9000) + ".jpg");
        assertThatThrownBy(() -> BatchPlanner.plan(uris, null, COMMAND, java.util.Optional.empty(), "iiif", ENV))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("URI 1 is too long")
                .hasMessageContaining("8192");
    }

    @Test
    void overridesLengthCountsWhatEcsCounts() {
        // {"containerOverrides":[{"name":"c","command":["x"]}]}
        assertThat(TaskRequest.overridesLength("c", List.of("x"), Map.of())).isEqualTo(53);
    }
}
