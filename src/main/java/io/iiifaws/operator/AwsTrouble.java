package io.iiifaws.operator;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts AWS errors that may pass (throttling, 5xx, timeouts) per job, to back off further each
 * time. Kept in memory: after a restart the backoff starts again from its base.
 */
final class AwsTrouble {
  private final Map<String, Integer> counts = new ConcurrentHashMap<>();
  private final Backoffs backoffs;

  AwsTrouble(Backoffs backoffs) {
    this.backoffs = backoffs;
  }

  Duration next(String jobUid) {
    int count = counts.merge(jobUid, 1, Integer::sum);
    return Backoffs.delay(backoffs.afterAwsError(), count);
  }

  void clear(String jobUid) {
    counts.remove(jobUid);
  }
}
