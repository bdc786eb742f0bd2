package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** How far the listing of spec.source into the job's snapshot has come. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record SourceStatus(
        @JsonPropertyDescription("The job's snapshot of its URIs: s3://bucket/prefix/, one object of URIs a batch"
                        + " (batch-000000.txt, ...), written before the batch may launch and never again.")
                String snapshot,
        @JsonPropertyDescription("True once every key of the source is in the snapshot.") Boolean listed,
        @JsonPropertyDescription("URIs in the snapshot.") Long uris,
        @JsonPropertyDescription("Batches in the snapshot.") Integer batches,
        @JsonPropertyDescription("Keys or lines of the source that are not processed.") Long skipped,
        @JsonPropertyDescription("The first 10 of them, with why.") List<SkippedEntry> skippedExamples,
        @JsonPropertyDescription("Where listing resumes: the last S3 key the snapshot holds (an S3 prefix).")
                String resumeAfter,
        @JsonPropertyDescription("Where listing resumes: the byte of the manifest after the snapshot's last line.")
                Long resumeAt,
        @JsonPropertyDescription("The manifest's ETag when listing began: a manifest that changes fails the job.")
                String etag) {

    public static final int EXAMPLES = 10;

    public static SourceStatus started(String snapshot) {
        return new SourceStatus(snapshot, false, 0L, 0, 0L, null, null, null, null);
    }

    /** With these counts, as listed so far. */
    public SourceStatus counted(long uris, int batches, long skipped, List<SkippedEntry> examples) {
        return new SourceStatus(
                snapshot,
                listed,
                uris,
                batches,
                skipped,
                examples.isEmpty() ? null : List.copyOf(examples),
                resumeAfter,
                resumeAt,
                etag);
    }

    /** Resuming after this key or at this byte of the manifest. */
    public SourceStatus resuming(String after, Long at) {
        return new SourceStatus(snapshot, listed, uris, batches, skipped, skippedExamples, after, at, etag);
    }

    public SourceStatus withEtag(String next) {
        return new SourceStatus(snapshot, listed, uris, batches, skipped, skippedExamples, resumeAfter, resumeAt, next);
    }

    /** Every key of the source is in the snapshot. */
    public SourceStatus done() {
        return new SourceStatus(snapshot, true, uris, batches, skipped, skippedExamples, resumeAfter, resumeAt, etag);
    }

    @JsonIgnore
    public boolean isListed() {
        return Boolean.TRUE.equals(listed);
    }

    @Override
    public Long uris() {
        return uris == null ? 0 : uris;
    }

    @Override
    public Integer batches() {
        return batches == null ? 0 : batches;
    }

    @Override
    public Long skipped() {
        return skipped == null ? 0 : skipped;
    }

    @Override
    public List<SkippedEntry> skippedExamples() {
        return skippedExamples == null ? List.of() : skippedExamples;
    }

    /** A key or manifest line left out, and why. */
    public record SkippedEntry(
            @JsonPropertyDescription("The key or line, its first 200 characters.") String entry,
            @JsonPropertyDescription("Why go-iiif is not given it.") String reason) {}
}
