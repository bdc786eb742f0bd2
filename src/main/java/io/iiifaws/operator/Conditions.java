package io.iiifaws.operator;

import io.iiifaws.api.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Setting conditions the Kubernetes way: lastTransitionTime moves only when status changes. */
final class Conditions {
    /** Kubernetes' limit on a condition message. */
    static final int MESSAGE_LIMIT = 32768;

    private Conditions() {}

    static List<Condition> set(
            List<Condition> conditions,
            String type,
            boolean status,
            String reason,
            String message,
            Instant now,
            Long generation) {
        String statusText = status ? "True" : "False";
        String text = Texts.truncate(message, MESSAGE_LIMIT);
        List<Condition> result = new ArrayList<>();
        boolean found = false;
        for (Condition c : conditions) {
            if (c.type().equals(type)) {
                found = true;
                String since = statusText.equals(c.status()) ? c.lastTransitionTime() : Times.format(now);
                result.add(new Condition(type, statusText, reason, text, since, generation));
            } else {
                result.add(c);
            }
        }
        // As for a Job, a condition that never held is not added as False.
        if (!found && status) {
            result.add(new Condition(type, statusText, reason, text, Times.format(now), generation));
        }
        return result;
    }
}
