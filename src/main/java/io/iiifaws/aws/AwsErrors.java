package io.iiifaws.aws;

import java.util.Locale;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/** Sorts AWS errors into those that may pass by themselves and those that will not. */
public final class AwsErrors {
  private AwsErrors() {}

  /**
   * True for throttling, 5xx, timeouts and broken connections; also for ECS's
   * InvalidParameterException that wraps an EC2 throttle, and its ClientException for a full
   * PROVISIONING queue under managed scaling.
   */
  public static boolean isTransient(Throwable error) {
    Throwable e = unwrap(error);
    if (e instanceof SdkClientException) {
      return true;
    }
    if (e instanceof AwsServiceException service) {
      if (service.isThrottlingException() || service.statusCode() >= 500 || service.retryable()) {
        return true;
      }
      String code = code(service);
      String message = String.valueOf(service.awsErrorDetails() == null
              ? service.getMessage()
              : service.awsErrorDetails().errorMessage()).toLowerCase(Locale.ROOT);
      return switch (code) {
        case "ServerException", "ServiceUnavailable", "ServiceUnavailableException",
            "InternalServerError", "TooManyRequestsException", "RequestTimeout",
            "RequestTimeoutException", "PriorRequestNotComplete" -> true;
        case "InvalidParameterException" -> message.contains("rate exceeded")
            || message.contains("throttl");
        case "ClientException" -> message.contains("provisioning");
        default -> false;
      };
    }
    return false;
  }

  /** AWS's error code and message, or the exception's own message; never credentials. */
  public static String describe(Throwable error) {
    Throwable e = unwrap(error);
    if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
      String message = service.awsErrorDetails().errorMessage();
      return code(service) + (message == null || message.isBlank() ? "" : ": " + message);
    }
    if (e instanceof SdkException) {
      return e.getMessage();
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  public static String code(Throwable error) {
    Throwable e = unwrap(error);
    if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
      String code = service.awsErrorDetails().errorCode();
      return code == null ? "HTTP" + service.statusCode() : code;
    }
    return e.getClass().getSimpleName();
  }

  public static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while ((e instanceof java.util.concurrent.CompletionException
            || e instanceof java.util.concurrent.ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
