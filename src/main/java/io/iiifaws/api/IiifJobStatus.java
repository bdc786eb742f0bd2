package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Optional;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record IiifJobStatus(
        @JsonPropertyDescription("Pending, Running, Succeeded or Failed.") Phase phase,
        @JsonPropertyDescription("metadata.generation this status reflects.") Long observedGeneration,
        @JsonPropertyDescription("When the job started (reset on resume after a suspend).") String startTime,
        @JsonPropertyDescription("When the job succeeded or failed.") String completionTime,
        @JsonPropertyDescription("Batches succeeded out of all batches, as 'done/total'.") String progress,
        @JsonPropertyDescription("ECS tasks of the job not yet stopped.") Integer active,
        @JsonPropertyDescription("Batches that succeeded.") Integer succeeded,
        @JsonPropertyDescription("Runs that failed and counted against spec.backoffLimit.") Integer failed,
        @JsonPropertyDescription("Complete, Failed, FailureTarget and Suspended, as for a Job.")
                List<Condition> conditions,
        @JsonPropertyDescription("The URIs split into batches, one ECS task at a time each.") List<BatchStatus> batches,
        @JsonPropertyDescription(
                        "The ECS tasks the job launched or adopted, in launch order: every run still running or being"
                                + " checked, and the newest finished runs, up to 1,000 and to what keeps status within 512 KiB.")
                List<TaskStatus> tasks,
        @JsonPropertyDescription("The Lambda invocation, in Invoke mode.") InvocationStatus invocation,
        @JsonPropertyDescription(
                        "Where go-iiif writes this job's reports (s3://bucket/prefix/NAMESPACE/NAME/UID/), fixed when the"
                                + " job starts; unset when the job's images are not checked.")
                String reports,
        @JsonPropertyDescription("What go-iiif's reports say of the job's images, over all batches.")
                ImagesStatus images,
        @JsonPropertyDescription(
                        "Images processed (or, unchecked, in a batch that succeeded) out of all, 'done/total'.")
                String imageProgress,
        @JsonPropertyDescription("The listing of spec.source into the job's snapshot.") SourceStatus source,
        @JsonPropertyDescription("spec.source jobs: the batches that succeeded, as ranges and counts.")
                BatchesDone batchesDone,
        @JsonPropertyDescription(
                        "spec.source jobs: each image's outcome, one JSON line per image (uri, outcome, derivatives or"
                                + " error), an object per batch under this s3://bucket/prefix/.")
                String results) {

    public static final IiifJobStatus EMPTY = new IiifJobStatus(
            null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    @Override
    public List<Condition> conditions() {
        return conditions == null ? List.of() : conditions;
    }

    @Override
    public List<BatchStatus> batches() {
        return batches == null ? List.of() : batches;
    }

    @Override
    public List<TaskStatus> tasks() {
        return tasks == null ? List.of() : tasks;
    }

    public IiifJobStatus withTasks(List<TaskStatus> next) {
        return new IiifJobStatus(
                phase,
                observedGeneration,
                startTime,
                completionTime,
                progress,
                active,
                succeeded,
                failed,
                conditions,
                batches,
                next,
                invocation,
                reports,
                images,
                imageProgress,
                source,
                batchesDone,
                results);
    }

    public Optional<Condition> condition(String type) {
        return conditions().stream().filter(c -> type.equals(c.type())).findFirst();
    }

    @JsonIgnore
    public boolean isFinished() {
        return phase != null && phase.isFinished();
    }
}
