package io.iiifaws.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.iiifaws.operator.SourceStatusSize.Measured;
import io.iiifaws.operator.SourceStatusSize.Stage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A job over a million images keeps a status of a few hundred KiB at most, whatever stage it is at. */
class SourceStatusSizeTest {
    static final long LIMIT = 256 * 1024;

    @ParameterizedTest(name = "{0} of 10,000 batches done")
    @ValueSource(ints = {0, 3000, 9900, 10000})
    void aMillionImagesKeepStatusUnder256KiB(int done) {
        int running = Math.min(100, 10_000 - done);
        int retrying = Math.min(50, 10_000 - done - running);
        Measured measured = SourceStatusSize.measure(1_000_000, 100, 100, new Stage("", done, running, retrying, 1));

        assertThat(measured.objectBytes()).isLessThan(LIMIT);
        assertThat(measured.batchesListed()).isEqualTo(running + retrying);
        assertThat(measured.tasksListed()).isLessThanOrEqualTo(running + JobProgress.SOURCE_FINISHED_TASKS);
    }
}
