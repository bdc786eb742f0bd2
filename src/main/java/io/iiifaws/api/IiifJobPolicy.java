package io.iiifaws.api;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * What the IiifJobs of some namespaces may do with the operator's AWS identity, or the role it
 * names. Cluster-scoped: the cluster's administrators write them, the teams of the namespaces they
 * select live within them.
 */
@Group(IiifJob.GROUP)
@Version(IiifJob.VERSION)
@Kind("IiifJobPolicy")
@Plural(IiifJobPolicy.PLURAL)
@Singular("iiifjobpolicy")
@ShortNames("ijobpolicy")
public class IiifJobPolicy extends CustomResource<IiifJobPolicySpec, IiifJobPolicyStatus> {
    public static final String PLURAL = "iiifjobpolicies";
    public static final String CRD_NAME = PLURAL + "." + IiifJob.GROUP;

    public String name() {
        return getMetadata().getName();
    }
}
