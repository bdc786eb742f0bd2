package io.iiifaws.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobSpec;

/** Changes to a job's spec by field path ("backoffLimit", "task.container"), for tests. */
public final class Specs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Specs() {}

    public static IiifJob with(IiifJob job, String path, Object value) {
        job.setSpec(with(job.getSpec(), path, value));
        return job;
    }

    public static IiifJobSpec with(IiifJobSpec spec, String path, Object value) {
        ObjectNode root = JSON.valueToTree(spec);
        String[] parts = path.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            node = node.has(parts[i]) && node.get(parts[i]).isObject()
                    ? (ObjectNode) node.get(parts[i])
                    : node.putObject(parts[i]);
        }
        String last = parts[parts.length - 1];
        if (value == null) {
            node.remove(last);
        } else {
            node.set(last, JSON.valueToTree(value));
        }
        return JSON.convertValue(root, IiifJobSpec.class);
    }
}
