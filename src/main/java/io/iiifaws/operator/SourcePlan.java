package io.iiifaws.operator;

import io.iiifaws.collection.Snapshot;
import io.iiifaws.collection.SourceKeys;
import io.iiifaws.collection.SourceListing;
import io.iiifaws.ecs.BatchPlanner;
import io.iiifaws.goiiif.ReportLocation;
import java.util.function.Supplier;

/**
 * A spec.source job, worked out: what to list and how each entry becomes a URI, where its snapshot
 * and per-image results go.
 *
 * @param region the region of the source's bucket
 * @param dedupe whether entries may repeat (a manifest, base names with stripPaths)
 */
record SourcePlan(
        SourceListing.Source source,
        String region,
        SourceKeys keys,
        Supplier<BatchPlanner.Filler> fillers,
        boolean dedupe,
        Snapshot snapshot,
        ReportLocation results) {
    String describe() {
        return source instanceof SourceListing.Source.Prefix p
                ? "s3://" + p.s3().bucket() + "/" + p.s3().prefix()
                : ((SourceListing.Source.Manifest) source).manifest().uri();
    }
}
