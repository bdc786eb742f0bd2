package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Positions in spec.uris, both inclusive. */
public record UriRange(
        @JsonPropertyDescription("Index in spec.uris of the first URI.") int first,
        @JsonPropertyDescription("Index in spec.uris of the last URI.") int last) {

    public int count() {
        return last - first + 1;
    }

    @Override
    public String toString() {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }
}
