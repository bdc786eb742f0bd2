package io.iiifaws.goiiif;

import java.util.Optional;

/**
 * Whether go-iiif can be given a URI, and in what form: the rules for spec.uris and for every key
 * or line a source lists.
 *
 * @param passed the URI as go-iiif gets it (reduced to its base name with stripPaths)
 * @param problem why it cannot be given to go-iiif, as a phrase after the URI
 */
public record UriCheck(String passed, Optional<String> problem) {
    public static UriCheck of(String uri, boolean stripPaths, ProcessCommand command) {
        if (uri.startsWith("-")) {
            return refused(uri, "starts with '-', which iiif-process would read as a flag");
        }
        if (uri.chars().anyMatch(Character::isISOControl)) {
            return refused(uri, "contains a control character");
        }
        String passed = stripPaths ? ImageUris.baseName(uri) : uri;
        if (passed.isEmpty() || passed.equals("/") || passed.startsWith("-")) {
            return refused(uri, "has no usable file name to keep with stripPaths");
        }
        return new UriCheck(passed, command.uriProblem(passed).map(p -> ": " + p));
    }

    /** "SUBJECT starts with …" or "SUBJECT: go-iiif …": a problem after what it is about. */
    public static String phrase(String subject, String problem) {
        return subject + (problem.startsWith(":") ? "" : " ") + problem;
    }

    private static UriCheck refused(String uri, String why) {
        return new UriCheck(uri, Optional.of(why));
    }
}
