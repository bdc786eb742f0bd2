package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The batches of a spec.source job that succeeded, folded into ranges and counts so that status
 * stays small at any number of batches; status.batches lists only the others that have a history.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record BatchesDone(
        @JsonPropertyDescription("Their numbers, as ranges: '0-4711,4713-5000'.") String ranges,
        @JsonPropertyDescription("What go-iiif's reports said of their images.") ImagesStatus images,
        @JsonPropertyDescription("Their runs that failed before one succeeded.") Integer failures) {

    @Override
    public Integer failures() {
        return failures == null ? 0 : failures;
    }
}
