package io.iiifaws.operator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** How many bytes a part of status takes as the API server stores it (JSON). */
final class StatusSize {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusSize() {}

    static long of(Object part) {
        try {
            return JSON.writeValueAsBytes(part).length;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
