package io.iiifaws.operator;

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
}
