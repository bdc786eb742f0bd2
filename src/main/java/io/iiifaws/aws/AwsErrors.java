package io.iiifaws.aws;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
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
            String message = String.valueOf(
                            service.awsErrorDetails() == null
                                    ? service.getMessage()
                                    : service.awsErrorDetails().errorMessage())
                    .toLowerCase(Locale.ROOT);
            return switch (code) {
                case "ServerException",
                        "ServiceUnavailable",
                        "ServiceUnavailableException",
                        "InternalServerError",
                        "TooManyRequestsException",
                        "RequestTimeout",
                        "RequestTimeoutException",
                        "PriorRequestNotComplete" -> true;
                case "InvalidParameterException" -> message.contains("rate exceeded") || message.contains("throttl");
                case "ClientException" -> message.contains("provisioning");
                default -> false;
            };
        }
        return false;
    }

    /**
     * True for AWS's throttling (and the operator's own pacing): the account's rate, not the call's
     * or the job's fault.
     */
    public static boolean isThrottling(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof EcsPacing.Paced) {
            return true;
        }
        if (e instanceof AwsServiceException service) {
            return service.isThrottlingException()
                    || switch (code(service)) {
                        case "ThrottlingException",
                                "Throttling",
                                "TooManyRequestsException",
                                "RequestLimitExceeded",
                                "SlowDown" -> true;
                        default -> false;
                    };
        }
        return false;
    }

    /**
     * AWS's error code and message, or the exception's own message, scrubbed of anything secret:
     * this is where AWS's words pass on their way to a status, an event, a log line or stderr.
     */
    public static String describe(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
            String message = service.awsErrorDetails().errorMessage();
            return scrub(code(service) + (message == null || message.isBlank() ? "" : ": " + message));
        }
        if (e instanceof SdkException) {
            return scrub(e.getMessage());
        }
        return scrub(e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    /**
     * Error messages of the commands and the Lambda function: AWS's scrubbed, where an AWS error is
     * the cause, else the exception's own message.
     */
    public static String message(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e instanceof SdkException) {
                return describe(e);
            }
        }
        return scrub(String.valueOf(error.getMessage()));
    }

    /** Parts of AWS's signature errors that quote the signed request, and what stands in for them. */
    private static final List<Map.Entry<Pattern, String>> SECRETS = List.of(
            // InvalidSignatureException (JSON services): the whole canonical request and string to sign.
            Map.entry(
                    Pattern.compile("(?s)The Canonical String for this request should have been.*"),
                    "[the canonical request and string to sign are removed]"),
            // S3's SignatureDoesNotMatch document.
            Map.entry(
                    Pattern.compile("(?is)<(StringToSign|StringToSignBytes|CanonicalRequest|CanonicalRequestBytes"
                            + "|SignatureProvided|AWSAccessKeyId)>.*?</\\1>"),
                    "<$1>[removed]</$1>"),
            Map.entry(
                    Pattern.compile(
                            "(?i)(x-amz-security-token|x-amz-signature|x-amz-credential|signature|"
                                    + "aws_secret_access_key|aws_session_token|securitytoken|sessiontoken)(\\s*[:=]\\s*)[^\\s&,;'\"<>]+"),
                    "$1$2[removed]"),
            // Access key ids: long-term (AKIA) and temporary (ASIA) ones.
            Map.entry(Pattern.compile("\\b(AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}\\b"), "$1[removed]"),
            // Session tokens and other long base64 runs.
            Map.entry(Pattern.compile("[A-Za-z0-9+/]{80,}={0,2}"), "[removed]"));

    /** The text without anything that could be a credential or a signature. */
    public static String scrub(String text) {
        if (text == null) {
            return null;
        }
        String result = text;
        for (var secret : SECRETS) {
            result = secret.getKey().matcher(result).replaceAll(secret.getValue());
        }
        return result;
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
