package io.iiifaws.goiiif;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How go-iiif 4 to 8 read an image URI argument, as their iiif-process does (checked on the real
 * v4.3.5, v6.1.4, v7.0.3 and v8.1.8 binaries): a key without a scheme becomes {@code file:///KEY};
 * its origin (the source object's key, and what names the report) is the decoded path; and its
 * derivatives go to the {@code target} query parameter, or to the origin without it, whose first
 * path segment go-iiif then drops ({@code avocado.png} lands at the root of the derivatives
 * cache, {@code collection/IMG_0084.JPG} under {@code IMG_0084.JPG/}). So a key is passed as
 * {@code file:///KEY?target=/KEY}, every byte but the unreserved ones percent-encoded.
 */
public final class GoIiifUri {
    /** Schemes go-iiif's URI package knows; a URI with one of them is go-iiif's own and is passed as it is. */
    static final Set<String> SCHEMES = Set.of("file", "idsecret", "rewrite");

    private static final Pattern SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*)://");

    private GoIiifUri() {}

    /**
     * Why go-iiif 4 to 8 cannot process the URI as the key of one image, if they cannot: they read
     * '%', '#' and '?' in a key as URI syntax (a key with '%' fails to parse and stops the whole run;
     * '#' and '?' cut the key short).
     */
    public static Optional<String> problem(String uri) {
        var scheme = SCHEME.matcher(uri);
        if (scheme.find()) {
            if (!SCHEMES.contains(scheme.group(1))) {
                return Optional.of(
                        "go-iiif knows no '" + scheme.group(1) + "' URIs (only file://, idsecret:// and rewrite://)");
            }
            try {
                new URI(uri);
            } catch (URISyntaxException e) {
                return Optional.of("it is not a valid URI: " + e.getReason());
            }
            return Optional.empty();
        }
        for (char c : new char[] {'%', '#', '?'}) {
            if (uri.indexOf(c) >= 0) {
                return Optional.of("go-iiif 4 to 8 read '" + c
                        + "' in a key as URI syntax and cannot process it; rename the" + " object");
            }
        }
        return Optional.empty();
    }

    /**
     * The argument that makes go-iiif read the image at {@code uri} and put its derivatives and report
     * under it. A URI with a scheme (go-iiif's own: file://, idsecret://, rewrite://) is passed as it is.
     */
    public static String argument(String uri) {
        if (SCHEME.matcher(uri).find()) {
            return uri;
        }
        String key = key(uri);
        StringBuilder path = new StringBuilder("file:///");
        String[] segments = key.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            path.append(i == 0 ? "" : "/").append(encode(segments[i]));
        }
        return path.append("?target=").append(encode("/" + key)).toString();
    }

    /** The key go-iiif reads the image from, relative to its images source: the origin of its report. */
    public static String origin(String uri) {
        if (SCHEME.matcher(uri).find()) {
            try {
                String path = new URI(uri).getPath();
                return path == null ? "" : path.replaceFirst("^/+", "");
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("'" + uri + "' is not a valid URI: " + e.getReason());
            }
        }
        return key(uri);
    }

    /** The report's name, as go-iiif's default template names it: process_ + sha256 of the origin + .json. */
    public static String reportName(String uri) {
        return "process_" + sha256(origin(uri)) + ".json";
    }

    /** A key as go-iiif reads it: leading slashes mean nothing to it. */
    private static String key(String uri) {
        return uri.replaceFirst("^/+", "");
    }

    /** Percent-encodes every UTF-8 byte but the unreserved characters A-Z a-z 0-9 - . _ ~. */
    static String encode(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'A' && c <= 'Z'
                    || c >= 'a' && c <= 'z'
                    || c >= '0' && c <= '9'
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~') {
                out.append((char) c);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
