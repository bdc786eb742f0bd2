package io.iiifaws.operator;

import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobSpec;
import io.iiifaws.api.Mode;
import io.iiifaws.api.UriRange;
import io.iiifaws.ecs.Batch;
import io.iiifaws.goiiif.ProcessCommand;
import io.iiifaws.goiiif.ReportLocation;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.regions.Region;

/**
 * A valid job, worked out: the region, the go-iiif command, the batches (Task mode) or the event
 * to send (Invoke mode), and where go-iiif writes its reports.
 *
 * @param reports the job's reports location (each run writes under it), if its images are checked
 * @param unchecked why the job's images are not checked, when they are not
 * @param source what a spec.source job lists, and where its snapshot is
 */
record JobPlan(
        IiifJob job,
        Region region,
        ProcessCommand command,
        List<String> uris,
        List<Batch> batches,
        String payload,
        Optional<ReportLocation> reports,
        String unchecked,
        Optional<SourcePlan> source) {
    IiifJobSpec spec() {
        return job.getSpec();
    }

    String uid() {
        return job.getMetadata().getUid();
    }

    Mode mode() {
        return spec().mode();
    }

    /**
     * The URIs (as go-iiif gets them) of a batch status records. Once a job has started, its
     * recorded batches, not a new plan, say which URIs each task processes.
     */
    List<String> uris(UriRange range) {
        return uris.subList(range.first(), range.last() + 1);
    }

    /** The ECS cluster of the spec, or null when none is given (Invoke mode). */
    String cluster() {
        return spec().task() == null ? null : spec().task().cluster();
    }

    /** The container whose exit code decides, or null to judge by every container. */
    String container() {
        return spec().task() == null ? null : spec().task().container();
    }
}
