package io.iiifaws.collection;

import io.iiifaws.api.ManifestSource;
import io.iiifaws.api.S3Source;
import io.iiifaws.api.SourceStatus;
import io.iiifaws.api.SourceStatus.SkippedEntry;
import io.iiifaws.aws.AwsErrors;
import io.iiifaws.ecs.BatchPlanner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Lists a job's source (an S3 prefix, a manifest) into its snapshot, one batch object at a time,
 * from where an earlier listing stopped. Each batch written moves the resume point past it; a
 * listing cut short, by a crash say, starts again from the last point status recorded and writes
 * the same batches again. Runs on a thread of its own: it makes blocking calls.
 */
public final class SourceListing {
    /** The manifest changed after the listing began: its lines no longer follow on. */
    public static final class SourceChangedException extends IllegalStateException {
        SourceChangedException(String message) {
            super(message);
        }
    }

    /** Where a listing reads from. */
    public sealed interface Source {
        record Prefix(S3Source s3) implements Source {}

        record Manifest(ManifestSource manifest, String bucket, String key) implements Source {}
    }

    /** Where the batches go: the job's snapshot in S3, or memory for a listing run by hand. */
    public interface Store {
        void write(int batch, List<String> uris);

        List<String> read(int batch);
    }

    /** Batches kept in memory. */
    public static final class InMemory implements Store {
        private final List<List<String>> batches = new ArrayList<>();

        @Override
        public synchronized void write(int batch, List<String> uris) {
            while (batches.size() <= batch) {
                batches.add(List.of());
            }
            batches.set(batch, List.copyOf(uris));
        }

        @Override
        public synchronized List<String> read(int batch) {
            return batches.get(batch);
        }

        public synchronized List<String> uris() {
            return batches.stream().flatMap(List::stream).toList();
        }
    }

    private final Source source;
    private final S3AsyncClient sourceS3;
    private final Store store;
    private final SourceKeys keys;
    private final Supplier<BatchPlanner.Filler> fillers;
    private final int pageSize;
    private final boolean dedupe;
    private BooleanSupplier cancelled = () -> false;

    /**
     * @param fillers a new filler for each listing: batches start afresh where a listing resumes
     * @param pageSize keys a ListObjectsV2 call asks for (S3 gives at most 1,000)
     * @param dedupe whether entries may repeat (manifests, base names): a repeat is skipped
     */
    public SourceListing(
            Source source,
            S3AsyncClient sourceS3,
            Store store,
            SourceKeys keys,
            Supplier<BatchPlanner.Filler> fillers,
            int pageSize,
            boolean dedupe) {
        this.source = source;
        this.sourceS3 = sourceS3;
        this.store = store;
        this.keys = keys;
        this.fillers = fillers;
        this.pageSize = pageSize;
        this.dedupe = dedupe;
    }

    /**
     * Lists from {@code from} to the end.
     *
     * @param progress told of the status after each batch written
     * @return the status with every key listed
     * @throws SdkException when S3 cannot be read or written
     * @throws SourceChangedException when the manifest changed since the listing began
     */
    public SourceStatus run(SourceStatus from, Consumer<SourceStatus> progress, BooleanSupplier cancelled) {
        this.cancelled = cancelled;
        Batcher batcher = new Batcher(from, progress);
        if (dedupe) {
            for (int i = 0; i < from.batches(); i++) {
                store.read(i).forEach(batcher::remember);
            }
        }
        try {
            if (source instanceof Source.Prefix prefix) {
                listPrefix(prefix.s3(), from, batcher);
            } else {
                readManifest((Source.Manifest) source, from, batcher);
            }
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        return batcher.finish();
    }

    private void listPrefix(S3Source s3, SourceStatus from, Batcher batcher) {
        String token = null;
        do {
            String continuation = token;
            ListObjectsV2Response page = sourceS3.listObjectsV2(r -> r.bucket(s3.bucket())
                            .prefix(s3.prefix())
                            .maxKeys(pageSize)
                            .startAfter(continuation == null ? from.resumeAfter() : null)
                            .continuationToken(continuation))
                    .join();
            checkCancelled();
            for (S3Object object : page.contents()) {
                batcher.take(object.key(), keys.key(object.key()), object.key(), null);
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
    }

    private void readManifest(Source.Manifest manifest, SourceStatus from, Batcher batcher) {
        long start = from.resumeAt() == null ? 0 : from.resumeAt();
        var head = sourceS3.headObject(r -> r.bucket(manifest.bucket()).key(manifest.key()))
                .join();
        if (from.etag() != null && !from.etag().equals(head.eTag())) {
            throw changed(manifest, from);
        }
        batcher.etag(head.eTag());
        if (head.contentLength() != null && start >= head.contentLength()) {
            return;
        }
        InputStream body;
        try {
            body = sourceS3.getObject(
                            r -> r.bucket(manifest.bucket())
                                    .key(manifest.key())
                                    .ifMatch(head.eTag())
                                    .range(start > 0 ? "bytes=" + start + "-" : null),
                            AsyncResponseTransformer.toBlockingInputStream())
                    .join();
        } catch (java.util.concurrent.CompletionException e) {
            if (AwsErrors.unwrap(e) instanceof S3Exception s3 && s3.statusCode() == 412) {
                throw changed(manifest, from);
            }
            if (AwsErrors.unwrap(e) instanceof S3Exception s3 && s3.statusCode() == 416) {
                return; // the listing had read the whole manifest
            }
            throw e;
        }
        try (InputStream in = new java.io.BufferedInputStream(body, 64 * 1024)) {
            long offset = start;
            long lines = 0;
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while (true) {
                b = in.read();
                if (b == '\n' || (b < 0 && line.size() > 0)) {
                    offset += line.size() + (b < 0 ? 0 : 1);
                    String text = line.toString(StandardCharsets.UTF_8);
                    batcher.take(text, keys.line(text, manifest.manifest().format()), null, offset);
                    line.reset();
                }
                if (b < 0) {
                    break;
                }
                if (b != '\n') {
                    line.write(b);
                } else if (++lines % 1000 == 0) {
                    checkCancelled();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "reading the manifest " + manifest.manifest().uri(), e);
        }
    }

    private static SourceChangedException changed(Source.Manifest manifest, SourceStatus from) {
        return new SourceChangedException("the manifest " + manifest.manifest().uri() + " changed after its listing"
                + " began (ETag " + from.etag() + "): create a new job for the new manifest");
    }

    private void checkCancelled() {
        if (cancelled.getAsBoolean()) {
            throw new java.util.concurrent.CancellationException("the listing was stopped");
        }
    }

    /** Gathers URIs into batches, writes each batch full, and keeps the resume point in step. */
    private final class Batcher {
        private final Consumer<SourceStatus> progress;
        private final BatchPlanner.Filler filler = fillers.get();
        private final LongSet seen = new LongSet();
        private SourceStatus status;
        private final List<String> batch = new ArrayList<>();
        private String lastKey;
        private Long lastOffset;
        /** Skipped entries before the batch's last URI, and after it. */
        private final List<SkippedEntry> skippedIn = new ArrayList<>();

        private final List<SkippedEntry> skippedAfter = new ArrayList<>();

        Batcher(SourceStatus from, Consumer<SourceStatus> progress) {
            this.status = from;
            this.progress = progress;
        }

        void etag(String etag) {
            if (status.etag() == null) {
                status = status.withEtag(etag);
            }
        }

        void remember(String uri) {
            seen.add(hash(uri));
        }

        void take(String entry, SourceKeys.Entry judged, String key, Long offsetAfter) {
            if (judged instanceof SourceKeys.Entry.Skipped skipped) {
                skippedAfter.add(skipped.entry());
                return;
            }
            if (!(judged instanceof SourceKeys.Entry.Uri uri)) {
                return;
            }
            if (dedupe && !seen.add(hash(uri.uri()))) {
                skippedAfter.add(SourceKeys.skipped(entry, "is the image of an earlier entry again")
                        .entry());
                return;
            }
            if (filler.add(uri.uri(), "'" + uri.uri() + "'")) {
                flush();
            }
            skippedIn.addAll(skippedAfter);
            skippedAfter.clear();
            batch.add(uri.uri());
            lastKey = key;
            lastOffset = offsetAfter;
        }

        SourceStatus finish() {
            if (!batch.isEmpty()) {
                flush();
            }
            skippedIn.addAll(skippedAfter);
            skippedAfter.clear();
            return count(status.batches(), status.uris()).done();
        }

        private void flush() {
            store.write(status.batches(), batch);
            status = count(status.batches() + 1, status.uris() + batch.size()).resuming(lastKey, lastOffset);
            batch.clear();
            progress.accept(status);
        }

        /** The status with the batches and URIs given and the entries skipped before the batch's end. */
        private SourceStatus count(int batches, long uris) {
            List<SkippedEntry> examples = new ArrayList<>(status.skippedExamples());
            for (SkippedEntry e : skippedIn) {
                if (examples.size() < SourceStatus.EXAMPLES) {
                    examples.add(e);
                }
            }
            long skipped = status.skipped() + skippedIn.size();
            skippedIn.clear();
            return status.counted(uris, batches, skipped, examples);
        }
    }

    /** 64 bits of FNV-1a: among a million URIs, a false repeat has odds of about 1 in 30 million. */
    static long hash(String uri) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < uri.length(); i++) {
            h ^= uri.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }
}
