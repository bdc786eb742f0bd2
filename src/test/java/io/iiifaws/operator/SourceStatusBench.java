package io.iiifaws.operator;

import io.iiifaws.operator.SourceStatusSize.Measured;
import io.iiifaws.operator.SourceStatusSize.Stage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Prints the size of a spec.source job's status and whole object for 1,000 to 1,000,000 images,
 * batches of 100, at each stage of the job: {@code mvn test -Pbench -Dtest=SourceStatusBench}.
 */
@Tag("bench")
class SourceStatusBench {
    @Test
    void printsTheStatusSizeOfLargeJobs() {
        System.out.printf(
                "%-10s %-11s %-28s %12s %12s %8s %6s%n",
                "images", "parallelism", "stage", "status KiB", "object KiB", "batches", "tasks");
        for (long images : new long[] {1_000, 100_000, 1_000_000}) {
            int batches = (int) (images / 100);
            for (int parallelism : new int[] {100, 600, 1000}) {
                int running = Math.min(parallelism, batches);
                int retrying = Math.min(50, batches - running);
                for (Stage stage : new Stage[] {
                    new Stage("listed, none done", 0, running, 0, 0),
                    new Stage("a third done, 1% failed", batches / 3, running, retrying, 1),
                    new Stage("all done, 1% failed", batches, 0, 0, 1)
                }) {
                    if (stage.done() + stage.running() + stage.retrying() > batches) {
                        continue;
                    }
                    Measured m = SourceStatusSize.measure(images, 100, parallelism, stage);
                    System.out.printf(
                            "%,10d %11d %-28s %12.1f %12.1f %8d %6d%n",
                            images,
                            parallelism,
                            stage.name(),
                            m.statusBytes() / 1024.0,
                            m.objectBytes() / 1024.0,
                            m.batchesListed(),
                            m.tasksListed());
                }
            }
        }
    }
}
