package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record BatchStatus(
    @JsonPropertyDescription("Batch number, from 0.") int index,
    @JsonPropertyDescription("The URIs of this batch, as positions in spec.uris.") UriRange uris,
    @JsonPropertyDescription("Pending, Running, Succeeded or Failed.") Phase phase,
    @JsonPropertyDescription("Runs that failed and count against spec.backoffLimit.") int failures,
    @JsonPropertyDescription(
        "Launches that AWS turned down for reasons that may pass (capacity, throttling) or runs"
            + " that infrastructure ended; retried without counting against backoffLimit.")
        int retries,
    @JsonPropertyDescription("Earliest time of the next launch of this batch.") String notBefore,
    @JsonPropertyDescription("Why the last launch of this batch did not start a task.")
        String message) {

  public static BatchStatus pending(int index, UriRange uris) {
    return new BatchStatus(index, uris, Phase.Pending, 0, 0, null, null);
  }

  public BatchStatus withPhase(Phase next) {
    return new BatchStatus(index, uris, next, failures, retries, notBefore, message);
  }

  public BatchStatus withFailure() {
    return new BatchStatus(index, uris, phase, failures + 1, retries, null, null);
  }

  public BatchStatus withRetry(String notBefore, String message) {
    return new BatchStatus(index, uris, phase, failures, retries + 1, notBefore, message);
  }

  public BatchStatus launched() {
    return new BatchStatus(index, uris, Phase.Running, failures, retries, null, null);
  }
}
