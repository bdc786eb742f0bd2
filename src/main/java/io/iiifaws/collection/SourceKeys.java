package io.iiifaws.collection;

import io.iiifaws.api.ManifestFormat;
import io.iiifaws.api.SourceStatus.SkippedEntry;
import io.iiifaws.ecs.BatchPlanner;
import io.iiifaws.goiiif.ImageUris;
import io.iiifaws.goiiif.ProcessCommand;
import io.iiifaws.goiiif.UriCheck;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What each key of an S3 listing, or line of a manifest, becomes: a URI for go-iiif, nothing (not
 * an image, a blank line), or an entry skipped for a reason the job reports.
 */
public final class SourceKeys {
    /** An entry of the source, judged. */
    public sealed interface Entry {
        record Uri(String uri) implements Entry {}

        record Skipped(SkippedEntry entry) implements Entry {}

        record NotAnImage() implements Entry {}
    }

    /** Longest entry quoted in status. */
    static final int QUOTED = 200;

    private final String prefix;
    private final List<String> suffixes;
    private final boolean stripPaths;
    private final ProcessCommand command;
    private final BatchPlanner.Filler fits;

    /**
     * @param prefix what is taken off the front of each key (empty to keep keys whole)
     * @param suffixes the endings to take (lower case), or empty for the image types go-iiif reads
     * @param fits the batches' filler, which knows whether a URI fits in a task at all
     */
    public SourceKeys(
            String prefix,
            List<String> suffixes,
            boolean stripPaths,
            ProcessCommand command,
            BatchPlanner.Filler fits) {
        this.prefix = prefix;
        this.suffixes = suffixes.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
        this.stripPaths = stripPaths;
        this.command = command;
        this.fits = fits;
    }

    /** An object key of the listing or of an S3 Inventory report. */
    public Entry key(String key) {
        if (!isImage(key) || key.length() <= prefix.length()) {
            return new Entry.NotAnImage();
        }
        return uri(key, key.startsWith(prefix) ? key.substring(prefix.length()) : key);
    }

    /** A line of a manifest: blank lines and '#' comments are no entries. */
    public Entry line(String line, ManifestFormat format) {
        String text = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        if (text.isBlank() || text.startsWith("#")) {
            return new Entry.NotAnImage();
        }
        if (format == ManifestFormat.Lines) {
            return uri(text, text);
        }
        Optional<String> key = inventoryKey(text);
        if (key.isEmpty()) {
            return skipped(text, "is not a CSV line of bucket and URL-encoded key");
        }
        return key(key.get());
    }

    private Entry uri(String entry, String uri) {
        UriCheck check = UriCheck.of(uri, stripPaths, command);
        if (check.problem().isPresent()) {
            return skipped(entry, check.problem().get());
        }
        Optional<String> tooLong = fits.problem(check.passed());
        if (tooLong.isPresent()) {
            return skipped(entry, "is " + tooLong.get());
        }
        return new Entry.Uri(check.passed());
    }

    private boolean isImage(String key) {
        if (suffixes.isEmpty()) {
            return ImageUris.isImage(key);
        }
        String lower = key.toLowerCase(Locale.ROOT);
        return suffixes.stream().anyMatch(lower::endsWith);
    }

    static Entry.Skipped skipped(String entry, String reason) {
        String printable = entry.codePoints()
                .map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        String quoted = printable.length() > QUOTED ? printable.substring(0, QUOTED) + "…" : printable;
        return new Entry.Skipped(new SkippedEntry(quoted, reason));
    }

    /**
     * The key of an S3 Inventory CSV line ("bucket","key",...): its second field, URL-encoded as
     * S3 Inventory writes it (a space as '+').
     */
    static Optional<String> inventoryKey(String line) {
        List<String> fields = csvFields(line, 2);
        if (fields.size() < 2 || fields.get(1).isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(URLDecoder.decode(fields.get(1), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The first {@code wanted} fields of a CSV line, quoted ("a ""b""") or not. */
    static List<String> csvFields(String line, int wanted) {
        List<String> fields = new java.util.ArrayList<>();
        int i = 0;
        while (fields.size() < wanted && i <= line.length()) {
            StringBuilder field = new StringBuilder();
            if (i < line.length() && line.charAt(i) == '"') {
                i++;
                while (i < line.length()) {
                    char c = line.charAt(i++);
                    if (c == '"' && i < line.length() && line.charAt(i) == '"') {
                        field.append('"');
                        i++;
                    } else if (c == '"') {
                        break;
                    } else {
                        field.append(c);
                    }
                }
                while (i < line.length() && line.charAt(i) != ',') {
                    i++;
                }
            } else {
                while (i < line.length() && line.charAt(i) != ',') {
                    field.append(line.charAt(i++));
                }
            }
            fields.add(field.toString());
            i++;
        }
        return fields;
    }
}
