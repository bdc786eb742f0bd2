package io.iiifaws.operator;

import java.nio.charset.StandardCharsets;

/** Cutting text to the limits Kubernetes and AWS put on it. */
final class Texts {
    private Texts() {}

    /** At most {@code limit} characters. */
    static String truncate(String text, int limit) {
        return text == null || text.length() <= limit ? text : text.substring(0, limit);
    }

    /** At most {@code limit} bytes of UTF-8, cut between characters. */
    static String truncateUtf8(String text, int limit) {
        if (text == null || text.getBytes(StandardCharsets.UTF_8).length <= limit) {
            return text;
        }
        int bytes = 0;
        int end = 0;
        while (end < text.length()) {
            int codePoint = text.codePointAt(end);
            int size = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + size > limit) {
                break;
            }
            bytes += size;
            end += Character.charCount(codePoint);
        }
        return text.substring(0, end);
    }
}
