package io.iiifaws.goiiif;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where go-iiif writes its reports and the operator reads them: a bucket and a key prefix ending
 * in '/', written {@code s3://bucket/prefix/}, optionally with {@code ?region=R} when the bucket is
 * not in the job's region.
 */
public record ReportLocation(String bucket, String prefix, String region) {
    /** S3's rules for bucket names, less the rarely used dots-and-dashes subtleties. */
    private static final Pattern FORM = Pattern.compile(
            "s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(/[^?#]*)?(?:\\?region=([a-z]{2}(?:-[a-z]+)+-\\d+))?");

    public ReportLocation {
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix = prefix + "/";
        }
    }

    /**
     * @param defaultRegion the bucket's region when the URI names none
     * @throws IllegalArgumentException saying what form is expected
     */
    public static ReportLocation parse(String uri, String defaultRegion) {
        Matcher m = FORM.matcher(uri == null ? "" : uri);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "'" + uri + "' is not an S3 location such as s3://bucket/prefix/ (optionally ?region=eu-west-1)");
        }
        String path = m.group(2) == null ? "" : m.group(2).substring(1);
        if (path.contains("//")) {
            throw new IllegalArgumentException("'" + uri + "' has an empty path segment");
        }
        return new ReportLocation(m.group(1), path, m.group(3) != null ? m.group(3) : defaultRegion);
    }

    /** A location under this one: {@code prefix + child + '/'}. */
    public ReportLocation child(String child) {
        return new ReportLocation(bucket, prefix + child, region);
    }

    /** The reports of one run of one batch: attempts never mix. */
    public ReportLocation run(int batch, int attempt) {
        return child("batch-" + batch + "/attempt-" + attempt);
    }

    /**
     * The Go Cloud bucket URI go-iiif writes the reports to ({@code -report-bucket-uri}), with the
     * task's own credentials (its IAM role).
     */
    public String goCloudUri() {
        return "s3blob://" + bucket + "?" + (prefix.isEmpty() ? "" : "prefix=" + queryEscape(prefix) + "&") + "region="
                + region + "&credentials=iam:";
    }

    /** s3://bucket/prefix/?region=R, which {@link #parse} reads back to this location. */
    public String uri() {
        return this + "?region=" + region;
    }

    /** s3://bucket/prefix/, as people and the AWS CLI write it. */
    @Override
    public String toString() {
        return "s3://" + bucket + "/" + prefix;
    }

    static String queryEscape(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8)
                .replace("+", "%20")
                .replace("%2F", "/");
    }
}
