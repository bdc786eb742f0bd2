package io.iiifaws.ecs;

import io.iiifaws.api.UriRange;
import io.iiifaws.goiiif.ProcessCommand;
import io.iiifaws.goiiif.ReportLocation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Splits URIs into batches for one task each: at most {@code maxPerBatch} URIs, and never more
 * than fit in ECS's 8192-character limit on a task's overrides.
 */
public final class BatchPlanner {
    private BatchPlanner() {}

    /** The command leaves no room for a URI: the fault is not any URI's. */
    public static final class CommandTooLongException extends IllegalArgumentException {
        CommandTooLongException(String message) {
            super(message);
        }
    }

    /**
     * @param reports the reports location of a run at its longest, if runs have one
     * @param environment the container's environment overrides at their longest
     * @param maxPerBatch null for as many as fit
     * @throws IllegalArgumentException naming the URI by its position when one URI alone is too long
     */
    public static List<Batch> plan(
            List<String> uris,
            Integer maxPerBatch,
            ProcessCommand command,
            Optional<ReportLocation> reports,
            String container,
            Map<String, String> environment) {
        Filler filler = new Filler(maxPerBatch, command, reports, container, environment);
        List<Batch> batches = new ArrayList<>();
        int first = 0;
        for (int i = 0; i < uris.size(); i++) {
            if (filler.add(uris.get(i), "URI " + i)) {
                batches.add(new Batch(batches.size(), new UriRange(first, i - 1), uris.subList(first, i)));
                first = i;
            }
        }
        if (!uris.isEmpty()) {
            batches.add(
                    new Batch(batches.size(), new UriRange(first, uris.size() - 1), uris.subList(first, uris.size())));
        }
        return batches;
    }

    /**
     * Fills batches one URI at a time, for URIs that arrive as a listing goes: each batch at most
     * {@code maxPerBatch} URIs and within ECS's limit on a task's overrides.
     */
    public static final class Filler {
        private final ProcessCommand command;
        private final int base;
        private final int limit;
        private int count;
        private int length;

        /** @throws CommandTooLongException when the command leaves no room for a URI */
        public Filler(
                Integer maxPerBatch,
                ProcessCommand command,
                Optional<ReportLocation> reports,
                String container,
                Map<String, String> environment) {
            Map<String, String> env = new java.util.LinkedHashMap<>(environment);
            env.putAll(command.environment(reports));
            this.command = command;
            this.base = TaskRequest.overridesLength(container, command.argv(List.of(), reports), env);
            if (base >= TaskRequest.OVERRIDES_LIMIT) {
                throw new CommandTooLongException("the go-iiif command and the operator's variables need " + base
                        + " characters of task overrides before any URI, and ECS allows "
                        + TaskRequest.OVERRIDES_LIMIT);
            }
            this.limit = maxPerBatch == null ? Integer.MAX_VALUE : maxPerBatch;
            this.length = base;
        }

        /** Whether the URI fits in a task at all. */
        public Optional<String> problem(String uri) {
            int cost = TaskRequest.argumentCost(command.uriArgument(uri));
            return base + cost > TaskRequest.OVERRIDES_LIMIT
                    ? Optional.of("too long: with the go-iiif command it needs " + (base + cost)
                            + " characters of task overrides, and ECS allows " + TaskRequest.OVERRIDES_LIMIT)
                    : Optional.empty();
        }

        /**
         * Adds a URI; returns true when it starts a new batch, the one before it being full.
         *
         * @param name what to call the URI in the exception
         * @throws IllegalArgumentException when the URI alone is too long for a task
         */
        public boolean add(String uri, String name) {
            Optional<String> problem = problem(uri);
            if (problem.isPresent()) {
                throw new IllegalArgumentException(name + " is " + problem.get());
            }
            int cost = TaskRequest.argumentCost(command.uriArgument(uri));
            boolean full = count > 0 && (count >= limit || length + cost > TaskRequest.OVERRIDES_LIMIT);
            if (full) {
                count = 0;
                length = base;
            }
            count++;
            length += cost;
            return full;
        }
    }
}
