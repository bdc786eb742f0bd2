package io.iiifaws.operator;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Times in status, as Kubernetes writes them: RFC 3339, whole seconds, UTC. */
final class Times {
    private Times() {}

    static String format(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static Instant parse(String text) {
        return text == null ? null : Instant.parse(text);
    }

    /** A wait as people read it: 0.4s, 12s. */
    static String seconds(Duration duration) {
        long millis = duration.toMillis();
        return millis < 10_000 ? String.format("%.1fs", millis / 1000.0) : (millis / 1000) + "s";
    }
}
