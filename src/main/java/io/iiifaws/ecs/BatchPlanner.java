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
        Map<String, String> env = new java.util.LinkedHashMap<>(environment);
        env.putAll(command.environment(reports));
        int base = TaskRequest.overridesLength(container, command.argv(List.of(), reports), env);
        if (base >= TaskRequest.OVERRIDES_LIMIT) {
            throw new CommandTooLongException("the go-iiif command and the operator's variables need " + base
                    + " characters of task overrides before any URI, and ECS allows " + TaskRequest.OVERRIDES_LIMIT);
        }
        int limit = maxPerBatch == null ? Integer.MAX_VALUE : maxPerBatch;
        List<Batch> batches = new ArrayList<>();
        int first = 0;
        int length = base;
        for (int i = 0; i < uris.size(); i++) {
            int cost = TaskRequest.argumentCost(command.uriArgument(uris.get(i)));
            if (base + cost > TaskRequest.OVERRIDES_LIMIT) {
                throw new IllegalArgumentException("URI "
                        + i
                        + " is too long: with the go-iiif command it needs "
                        + (base + cost)
                        + " characters of task overrides, and ECS allows "
                        + TaskRequest.OVERRIDES_LIMIT);
            }
            boolean full = i - first >= limit || length + cost > TaskRequest.OVERRIDES_LIMIT;
            if (full) {
                batches.add(new Batch(batches.size(), new UriRange(first, i - 1), uris.subList(first, i)));
                first = i;
                length = base;
            }
            length += cost;
        }
        if (!uris.isEmpty()) {
            batches.add(
                    new Batch(batches.size(), new UriRange(first, uris.size() - 1), uris.subList(first, uris.size())));
        }
        return batches;
    }
}
