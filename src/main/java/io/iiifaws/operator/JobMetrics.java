package io.iiifaws.operator;

import io.iiifaws.api.IiifJob;

/** What the operator counts. */
public interface JobMetrics {
  JobMetrics NONE = new JobMetrics() {};

  default void launched(IiifJob job) {}

  default void launchRefused(IiifJob job, String reason) {}

  default void awsThrottle(String operation) {}
}
