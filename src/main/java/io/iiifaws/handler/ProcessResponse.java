package io.iiifaws.handler;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The handler's answer, as go-iiif-aws's function answered ({@code TaskId}, {@code URIs}), with
 * every task when the URIs needed more than one, where go-iiif writes each task's reports (with
 * IIIF_PROCESS_REPORTS), the keys skipped (not images, not created), why
 * messages of the batch could not be read, and a message when no task was started. For an SQS
 * batch it is also Lambda's partial batch response: {@code batchItemFailures} names the messages
 * that were not processed, so that SQS delivers those again and acknowledges the others.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ProcessResponse(
        @JsonProperty("TaskId") String taskId,
        @JsonProperty("TaskIds") List<String> taskIds,
        @JsonProperty("URIs") List<String> uris,
        @JsonProperty("Reports") List<String> reports,
        @JsonProperty("Skipped") List<String> skipped,
        @JsonProperty("Unreadable") List<String> unreadable,
        @JsonProperty("Message") String message,
        @JsonProperty("batchItemFailures") List<ItemFailure> batchItemFailures) {

    /** An SQS message Lambda should deliver again (or to the dead-letter queue), by its id. */
    public record ItemFailure(@JsonProperty("itemIdentifier") String itemIdentifier) {}
}
