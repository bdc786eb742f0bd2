package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@ValidationRule(
        value = "self.mode != 'Invoke' || has(self.lambda)",
        message = "spec.lambda is required when spec.mode is Invoke")
@ValidationRule(
        value = "self.mode != 'Task' || has(self.task)",
        message = "spec.task is required when spec.mode is Task")
// On the object rather than the field: a record component's annotation lands on its field and its
// accessor, and the generator would write the rule twice.
@ValidationRule(value = "has(self.uris) != has(self.source)", message = "spec names either uris or source")
@ValidationRule(value = "!has(self.source) || self.mode == 'Task'", message = "spec.source needs spec.mode Task")
@ValidationRule(
        value = "has(self.source) == has(oldSelf.source) && (!has(self.source) || self.source == oldSelf.source)",
        message = "spec.source cannot be changed once the job exists")
@ValidationRule(
        value = "has(self.region) == has(oldSelf.region) && (!has(self.region) || self.region == oldSelf.region)",
        message = "spec.region cannot be changed once the job exists")
public record IiifJobSpec(
        @Size(min = 1, max = 30000)
                @ValidationRule(value = "self == oldSelf", message = "spec.uris cannot be changed once the job exists")
                @JsonPropertyDescription(
                        "Image URIs for go-iiif to process, as go-iiif's URI functions read them (for example"
                                + " 'avocado.png' or 'collection/IMG_0084.JPG'). A URI may not start with '-'. At most 30,000, and"
                                + " at most 960 KiB in all, so that the job and its status fit in what etcd stores of an object.")
                List<@Pattern("^[^-]") @Size(min = 1, max = 4096) String> uris,
        @JsonPropertyDescription(
                        "Instead of uris: the images of an S3 prefix or a manifest, for collections of any size. The"
                                + " operator lists them when the job starts into a snapshot next to the job's reports, and"
                                + " every batch, retry and restart works from that snapshot.")
                SourceSpec source,
        @Default("Task")
                @ValidationRule(value = "self == oldSelf", message = "spec.mode cannot be changed once the job exists")
                @JsonPropertyDescription(
                        "Task runs go-iiif in an ECS task launched by the operator; Invoke calls a Lambda function"
                                + " (such as the iiif-aws Lambda handler) with an S3 event naming the URIs.")
                Mode mode,
        @Pattern("^[a-z]{2}(-[a-z]+)+-\\d+$")
                @JsonPropertyDescription(
                        "AWS region for the ECS and Lambda calls, such as eu-west-1. Defaults to the operator's region.")
                String region,
        @JsonPropertyDescription("The ECS task that runs go-iiif. Required in Task mode.") TaskSpec task,
        @JsonPropertyDescription("awsvpc network settings for the ECS task (required for Fargate).")
                NetworkSpec network,
        @JsonPropertyDescription("How go-iiif's iiif-process is called inside the container.") ProcessSpec process,
        @JsonPropertyDescription("The Lambda function to invoke. Required in Invoke mode.") LambdaSpec lambda,
        @JsonPropertyDescription("How the URIs are split into ECS tasks.") BatchSpec batch,
        @Min(1)
                @Max(1000)
                @Default("1")
                @JsonPropertyDescription("How many ECS tasks of this job may run at the same time. Default 1.")
                Integer parallelism,
        @Min(0)
                @Max(100)
                @Default("3")
                @JsonPropertyDescription(
                        "How many failed runs of a batch are retried before the job fails. A run fails when the"
                                + " go-iiif container exits non-zero or without an exit code, or the task fails to"
                                + " start. Capacity shortages, throttling and Spot interruptions are retried without"
                                + " counting. Default 3.")
                Integer backoffLimit,
        @Min(1)
                @Max(315360000)
                @JsonPropertyDescription(
                        "Seconds the job may be active, counted from status.startTime; past it every running task"
                                + " is stopped and the job fails with reason DeadlineExceeded.")
                Long activeDeadlineSeconds,
        @Default("false")
                @JsonPropertyDescription(
                        "True stops the job's running tasks and launches nothing until it is set back to false.")
                Boolean suspend,
        @Min(0)
                @Max(315360000)
                @JsonPropertyDescription("Delete the job this many seconds after it succeeded or failed.")
                Integer ttlSecondsAfterFinished,
        @Default("StopTasks")
                @JsonPropertyDescription(
                        "What deleting the job does to its running ECS tasks: StopTasks (default) stops them;"
                                + " Orphan leaves them running.")
                DeletionPolicy deletionPolicy) {

    public static final int DEFAULT_PARALLELISM = 1;
    public static final int DEFAULT_BACKOFF_LIMIT = 3;

    @Override
    public List<String> uris() {
        return uris == null ? List.of() : uris;
    }

    @Override
    public Mode mode() {
        return mode == null ? Mode.Task : mode;
    }

    @Override
    public ProcessSpec process() {
        return process == null ? ProcessSpec.DEFAULTS : process;
    }

    @Override
    public NetworkSpec network() {
        return network == null ? NetworkSpec.NONE : network;
    }

    @Override
    public BatchSpec batch() {
        return batch == null ? BatchSpec.DEFAULTS : batch;
    }

    @Override
    public Integer parallelism() {
        return parallelism == null ? DEFAULT_PARALLELISM : parallelism;
    }

    @Override
    public Integer backoffLimit() {
        return backoffLimit == null ? DEFAULT_BACKOFF_LIMIT : backoffLimit;
    }

    @Override
    public Boolean suspend() {
        return Boolean.TRUE.equals(suspend);
    }

    @Override
    public DeletionPolicy deletionPolicy() {
        return deletionPolicy == null ? DeletionPolicy.StopTasks : deletionPolicy;
    }
}
