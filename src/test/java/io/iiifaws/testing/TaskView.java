package io.iiifaws.testing;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A task started through the fault layer, as its RunTask asked for it. */
public record TaskView(
        String arn,
        String cluster,
        String startedBy,
        String container,
        List<String> command,
        Map<String, String> environment,
        Map<String, String> tags,
        Instant launchedAt) {

    public int batch() {
        return Integer.parseInt(environment.getOrDefault("IIIF_AWS_BATCH", "-1"));
    }

    public int attempt() {
        return Integer.parseInt(environment.getOrDefault("IIIF_AWS_ATTEMPT", "-1"));
    }

    public String job() {
        return environment.get("IIIF_AWS_JOB");
    }
}
