package io.iiifaws.aws;

import io.iiifaws.goiiif.ImageCheck;
import io.iiifaws.goiiif.ProcessReport;
import io.iiifaws.goiiif.ReportLocation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Reads go-iiif's reports of one run from S3 and judges each image. It lists the run's prefix
 * first (one call per 1,000 reports), so a report that is not there is told apart from one the
 * operator may not read, then gets the reports it found, a few at a time.
 */
public final class S3Reports {
    /** Reports read at once per check. */
    static final int CONCURRENCY = 8;
    /** Reports are small; anything larger is not one. */
    static final long MAX_REPORT_BYTES = 1024 * 1024;

    private final Function<String, S3AsyncClient> clients;

    /** @param clients the S3 client for a region */
    public S3Reports(Function<String, S3AsyncClient> clients) {
        this.clients = clients;
    }

    /**
     * Judges the images of a run from their reports.
     *
     * @param reportName the report's name (key under the location) for each URI
     * @return fails with the SDK's exception when S3 cannot be read (after the SDK's retries)
     */
    public CompletableFuture<ImageCheck> check(
            ReportLocation location, List<String> uris, Function<String, String> reportName) {
        S3AsyncClient s3 = clients.apply(location.region());
        Map<String, Long> sizes = new ConcurrentHashMap<>();
        return s3.listObjectsV2Paginator(r -> r.bucket(location.bucket()).prefix(location.prefix()))
                .contents()
                .subscribe(o -> sizes.put(o.key(), o.size() == null ? 0 : o.size()))
                .thenCompose(done -> read(s3, location, uris, reportName, sizes));
    }

    private CompletableFuture<ImageCheck> read(
            S3AsyncClient s3,
            ReportLocation location,
            List<String> uris,
            Function<String, String> reportName,
            Map<String, Long> sizes) {
        Map<String, ProcessReport> reports = new ConcurrentHashMap<>();
        Map<String, String> unreadable = new ConcurrentHashMap<>();
        List<String> present = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String uri : uris) {
            Long size = seen.add(uri) ? sizes.get(location.prefix() + reportName.apply(uri)) : null;
            if (size != null && size > MAX_REPORT_BYTES) {
                unreadable.put(uri, "it is " + size + " bytes, too large for a go-iiif report");
            } else if (size != null) {
                present.add(uri);
            }
        }
        Iterator<String> queue = present.iterator();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int i = 0; i < Math.min(CONCURRENCY, present.size()); i++) {
            workers.add(next(s3, location, queue, reportName, reports, unreadable));
        }
        return CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new))
                .thenApply(done -> ImageCheck.judge(uris, reports, unreadable));
    }

    /** Reads reports one after another until the queue is empty. */
    private CompletableFuture<Void> next(
            S3AsyncClient s3,
            ReportLocation location,
            Iterator<String> queue,
            Function<String, String> reportName,
            Map<String, ProcessReport> reports,
            Map<String, String> unreadable) {
        String uri;
        synchronized (queue) {
            if (!queue.hasNext()) {
                return CompletableFuture.completedFuture(null);
            }
            uri = queue.next();
        }
        String key = location.prefix() + reportName.apply(uri);
        return s3.getObject(r -> r.bucket(location.bucket()).key(key), AsyncResponseTransformer.toBytes())
                .handle((bytes, error) -> {
                    if (error != null) {
                        if (AwsErrors.unwrap(error) instanceof NoSuchKeyException) {
                            return null;
                        }
                        throw new java.util.concurrent.CompletionException(AwsErrors.unwrap(error));
                    }
                    try {
                        reports.put(uri, ProcessReport.parse(bytes.asByteArray()));
                    } catch (IllegalArgumentException e) {
                        unreadable.put(uri, e.getMessage());
                    }
                    return null;
                })
                .thenCompose(done -> next(s3, location, queue, reportName, reports, unreadable));
    }
}
