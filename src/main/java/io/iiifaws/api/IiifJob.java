package io.iiifaws.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** go-iiif processing of a list of image URIs, run on ECS or through Lambda. */
@Group(IiifJob.GROUP)
@Version(IiifJob.VERSION)
@Kind("IiifJob")
@Plural(IiifJob.PLURAL)
@Singular("iiifjob")
@ShortNames("ijob")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(
        name = "Tasks",
        jsonPath = ".status.progress",
        getDescription = "Batches done out of all batches (one ECS task each)")
@AdditionalPrinterColumn(
        name = "Images",
        jsonPath = ".status.imageProgress",
        getDescription = "Images processed out of all")
@AdditionalPrinterColumn(name = "Active", jsonPath = ".status.active", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Failed", jsonPath = ".status.failed", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class IiifJob extends CustomResource<IiifJobSpec, IiifJobStatus> implements Namespaced {
    public static final String GROUP = "iiif-aws.io";
    public static final String VERSION = "v1alpha1";
    public static final String API_VERSION = GROUP + "/" + VERSION;
    public static final String PLURAL = "iiifjobs";
    public static final String CRD_NAME = PLURAL + "." + GROUP;

    public String namespacedName() {
        return getMetadata().getNamespace() + "/" + getMetadata().getName();
    }
}
