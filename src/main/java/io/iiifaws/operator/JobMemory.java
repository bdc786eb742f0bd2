package io.iiifaws.operator;

import io.iiifaws.goiiif.ImageCheck;
import io.iiifaws.lambda.LambdaInvoker;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the operator keeps in memory of each job beside its status, by the job's uid: one entry a
 * job, forgotten in one place when the job finished or is gone. All of it may be lost with a
 * restart: the status and ECS say what counts.
 */
final class JobMemory {
    /** One job's memory. */
    static final class Entry {
        /** go-iiif's reports being read, by batch and attempt. */
        final Map<String, CompletableFuture<ImageCheck>> reads = new ConcurrentHashMap<>();
        /** AWS errors that may pass, in a row: the backoff grows with them. */
        final AtomicInteger awsErrors = new AtomicInteger();
        /** Tasks whose StopTask was refused for good: the Warning event is recorded once. */
        final Set<String> stopRefused = ConcurrentHashMap.newKeySet();
        /** The Lambda invocation in flight. */
        volatile CompletableFuture<LambdaInvoker.Result> invocation;
        /**
         * Whether this operator asked ECS for tasks of the job that status may not record (a launch
         * whose status write was lost); asked once, and again after a failed status write.
         */
        volatile boolean straysListed;
        /** When the job's reserved turn to launch is, if it waits for one. */
        volatile java.time.Instant launchTurn;
        /** Tasks whose container log was read after they failed. */
        final Set<String> logsRead = ConcurrentHashMap.newKeySet();
        /** The listing of the job's spec.source going on, and when one that failed may start again. */
        volatile SourceListings.Listing listing;

        volatile java.time.Instant listingRetryAt;
        /** The listing's end, once taken in: a pass that reads an older status must not list again. */
        volatile io.iiifaws.api.SourceStatus listed;
        /** The role the job's IiifJobPolicy names, as its last pass found; null for the operator's own. */
        volatile io.iiifaws.aws.AwsClients.Role role;
        /** The IiifJobPolicy that allowed the job at its last pass; null when the cluster has none. */
        volatile io.iiifaws.api.IiifJobPolicy policy;
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    Entry of(String jobUid) {
        return entries.computeIfAbsent(jobUid, uid -> new Entry());
    }

    /** Forgets the job, cancelling what it still had in flight. */
    void forget(String jobUid) {
        Entry entry = entries.remove(jobUid);
        if (entry != null) {
            entry.reads.values().forEach(read -> read.cancel(true));
            if (entry.invocation != null) {
                entry.invocation.cancel(true);
            }
            if (entry.listing != null) {
                entry.listing.cancel();
            }
        }
    }

    /** Stops every listing going on: the operator no longer reconciles. */
    void cancelListings() {
        entries.values().forEach(entry -> {
            SourceListings.Listing listing = entry.listing;
            entry.listing = null;
            if (listing != null) {
                listing.cancel();
            }
        });
    }

    /** The jobs remembered. */
    int size() {
        return entries.size();
    }
}
