package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** What go-iiif's reports say of the images of a batch or a job. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ImagesStatus(
        @JsonPropertyDescription("Images go-iiif processed: its report lists their derivatives.") Integer processed,
        @JsonPropertyDescription(
                        "Images go-iiif did not process: no report, a report without derivatives, or derivatives"
                                + " that another image overwrote.")
                Integer failed,
        @JsonPropertyDescription(
                        "Images of runs that exited 0 but whose reports were not read: no reports location, or a go-iiif"
                                + " style (v1, v2) whose reports the operator cannot find.")
                Integer unverified,
        @JsonPropertyDescription("The first failed images and why they failed.") List<FailedImage> failedImages) {

    public static final ImagesStatus NONE = new ImagesStatus(0, 0, 0, List.of());

    @Override
    public Integer processed() {
        return processed == null ? 0 : processed;
    }

    @Override
    public Integer failed() {
        return failed == null ? 0 : failed;
    }

    @Override
    public Integer unverified() {
        return unverified == null ? 0 : unverified;
    }

    @Override
    public List<FailedImage> failedImages() {
        return failedImages == null ? List.of() : failedImages;
    }
}
