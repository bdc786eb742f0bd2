package io.iiifaws.ecs;

import io.iiifaws.api.UriRange;
import java.util.List;

/** URIs that one ECS task processes, with their positions in the job's list. */
public record Batch(int index, UriRange range, List<String> uris) {
    public Batch {
        uris = List.copyOf(uris);
    }
}
