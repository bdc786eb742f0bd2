package io.iiifaws.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * An IiifJob as the API server stores it: metadata, and spec and status as whatever JSON they are.
 * The operator watches these, so that an object that does not fit {@link IiifJob}'s types (a
 * number out of range, a value of a newer version, a string for a list) reaches it instead of
 * stopping its informer; {@link IiifJobBinding} then reads them into the types, or says why not.
 */
@Group(IiifJob.GROUP)
@Version(IiifJob.VERSION)
@Kind("IiifJob")
@Plural("iiifjobs")
@Singular("iiifjob")
public class StoredIiifJob extends CustomResource<JsonNode, JsonNode> implements Namespaced {
    @Override
    protected JsonNode initSpec() {
        return null;
    }

    @Override
    protected JsonNode initStatus() {
        return null;
    }

    public String namespacedName() {
        return getMetadata().getNamespace() + "/" + getMetadata().getName();
    }
}
