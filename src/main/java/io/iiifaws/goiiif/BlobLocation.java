package io.iiifaws.goiiif;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A go-iiif config or instructions file, split the way go-iiif 4+ wants it: a Go Cloud bucket URI
 * ({@code -config-source}) and the file's key in it ({@code -config-name}). Go Cloud's bucket
 * openers take the URI's host as the bucket and ignore its path, so a folder in the bucket becomes
 * the {@code prefix} parameter: {@code s3blob://museum-iiif-config/go-iiif/config.json?region=R}
 * is {@code s3blob://museum-iiif-config?prefix=go-iiif/&region=R} and {@code config.json}.
 */
public record BlobLocation(String source, String name) {
    private static final String DEFAULTS = "defaults://";

    /**
     * Accepts an absolute path ({@code /etc/go-iiif/config.json} becomes {@code file:///etc/go-iiif}
     * and {@code config.json}), a {@code file://} URI, a bucket URI ending in the file name (s3blob,
     * s3, gs, azblob, …; its query is kept), or {@code defaults://} for the files built into go-iiif.
     *
     * @throws IllegalArgumentException saying what is wrong and how go-iiif would take it
     */
    public static BlobLocation parse(String location) {
        if (location.startsWith(DEFAULTS)) {
            return new BlobLocation(DEFAULTS, null);
        }
        if (location.startsWith("/")) {
            return inFolder("file://", location, "", location);
        }
        int scheme = location.indexOf("://");
        if (scheme <= 0) {
            throw new IllegalArgumentException(
                    "'" + location + "' is neither an absolute path nor a Go Cloud bucket URI (s3blob://bucket/key?…)");
        }
        String kind = location.substring(0, scheme);
        int queryAt = location.indexOf('?');
        String path = queryAt < 0 ? location : location.substring(0, queryAt);
        String query = queryAt < 0 ? "" : location.substring(queryAt + 1);
        if (kind.equals("file")) {
            return inFolder("file://", path.substring("file://".length()), query, location);
        }
        String rest = path.substring(scheme + 3);
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new IllegalArgumentException("'" + location + "' names a bucket but no file in it");
        }
        String bucket = rest.substring(0, slash);
        String key = rest.substring(slash + 1);
        int last = key.lastIndexOf('/');
        String folder = last < 0 ? "" : key.substring(0, last + 1);
        String name = nonEmptyName(location, key.substring(last + 1));
        List<String> params = new ArrayList<>();
        String prefix = folder;
        for (String param : query.isEmpty() ? new String[0] : query.split("&")) {
            if (param.startsWith("prefix=")) {
                prefix = URLDecoder.decode(param.substring("prefix=".length()), StandardCharsets.UTF_8) + folder;
            } else if (!param.isEmpty()) {
                params.add(param);
            }
        }
        checkParameters(kind, params, location);
        if (!prefix.isEmpty()) {
            params.add(0, "prefix=" + ReportLocation.queryEscape(prefix));
        }
        return new BlobLocation(kind + "://" + bucket + (params.isEmpty() ? "" : "?" + String.join("&", params)), name);
    }

    /** What go-iiif 4 to 8 refuse of S3 bucket URIs (checked on the real binaries). */
    private static void checkParameters(String kind, List<String> params, String location) {
        boolean region = params.stream().anyMatch(p -> p.startsWith("region="));
        boolean credentials = params.stream().anyMatch(p -> p.startsWith("credentials="));
        if (kind.equals("s3blob") && (!region || !credentials)) {
            throw new IllegalArgumentException(
                    "'" + location + "': go-iiif opens s3blob:// buckets only with region= and"
                            + " credentials= (" + (region ? "" : "add region=REGION; ")
                            + (credentials ? "" : "add credentials=iam: for the" + " task's role") + ")");
        }
        if (kind.equals("s3") && credentials) {
            throw new IllegalArgumentException(
                    "'" + location + "': go-iiif's s3:// buckets take no credentials= (they use the"
                            + " task's role); remove it, or use s3blob://");
        }
    }

    /** A file in a folder: the folder is the bucket (file:// URIs), the file its key. */
    private static BlobLocation inFolder(String scheme, String path, String query, String location) {
        int slash = path.lastIndexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + location + "' is not an absolute path");
        }
        String dir = slash == 0 ? "/" : path.substring(0, slash);
        String name = nonEmptyName(location, path.substring(slash + 1));
        return new BlobLocation(scheme + dir + (query.isEmpty() ? "" : "?" + query), name);
    }

    private static String nonEmptyName(String location, String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("'" + location + "' ends in '/' and names no file");
        }
        return name;
    }
}
