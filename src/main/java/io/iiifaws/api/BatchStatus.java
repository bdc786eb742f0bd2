package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record BatchStatus(
        @JsonPropertyDescription("Batch number, from 0.") int index,
        @JsonPropertyDescription("The URIs of this batch, as positions in spec.uris.") UriRange uris,
        @JsonPropertyDescription("Pending, Running, Succeeded or Failed.") Phase phase,
        @JsonPropertyDescription("The latest run (attempt) of this batch that was launched, from 1.") int attempts,
        @JsonPropertyDescription("Runs that failed and count against spec.backoffLimit.") int failures,
        @JsonPropertyDescription(
                        "Launches that AWS turned down for reasons that may pass (capacity, throttling) or runs"
                                + " that infrastructure ended; retried without counting against backoffLimit.")
                int retries,
        @JsonPropertyDescription("Launches ECS answered by placing no task (RESOURCE:*, capacity).") int refusals,
        @JsonPropertyDescription("Earliest time of the next launch of this batch.") String notBefore,
        @JsonPropertyDescription("Why the batch is waiting or failed.") String message,
        @JsonPropertyDescription("What go-iiif's reports say of the batch's images, once a run exited 0.")
                ImagesStatus images) {

    public static BatchStatus pending(int index, UriRange uris) {
        return new BatchStatus(index, uris, Phase.Pending, 0, 0, 0, 0, null, null, null);
    }

    public BatchStatus withMessage(String next) {
        return new BatchStatus(index, uris, phase, attempts, failures, retries, refusals, notBefore, next, images);
    }

    public BatchStatus withPhase(Phase next) {
        return new BatchStatus(index, uris, next, attempts, failures, retries, refusals, notBefore, message, images);
    }

    /** A run exited 0 and its images are counted: the batch succeeded. */
    public BatchStatus succeeded(ImagesStatus counted) {
        return new BatchStatus(
                index, uris, Phase.Succeeded, attempts, failures, retries, refusals, null, null, counted);
    }

    /** A run of the batch was launched or found; a batch that succeeded stays so. */
    public BatchStatus launched(int attempt) {
        Phase next = phase == Phase.Succeeded ? Phase.Succeeded : Phase.Running;
        return new BatchStatus(
                index, uris, next, Math.max(attempts, attempt), failures, retries, refusals, null, null, images);
    }

    /** A run failed; the next may start at {@code notBefore}. */
    public BatchStatus failed(String notBefore, String why) {
        return new BatchStatus(
                index, uris, Phase.Pending, attempts, failures + 1, retries, refusals, notBefore, why, images);
    }

    /** A launch or a run came to nothing for a reason that may pass; try again at {@code notBefore}. */
    public BatchStatus retried(String notBefore, String why, boolean refused) {
        return new BatchStatus(
                index,
                uris,
                Phase.Pending,
                attempts,
                failures,
                retries + 1,
                refusals + (refused ? 1 : 0),
                notBefore,
                why,
                images);
    }
}
