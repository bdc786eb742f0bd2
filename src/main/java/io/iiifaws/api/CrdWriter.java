package io.iiifaws.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Generates the IiifJob CRD from the Java classes. The build runs it (see pom.xml) into
 * target/classes/META-INF/fabric8; CrdTest checks that the copies in crds/ and the chart match.
 * The generator is on the build's class path only, not in the packaged jar.
 */
public final class CrdWriter {
    public static final String FILE_NAME = IiifJob.CRD_NAME + "-v1.yml";
    public static final String POLICY_FILE_NAME = IiifJobPolicy.CRD_NAME + "-v1.yml";
    /** Both CRDs' file names, the job's first. */
    public static final List<String> FILE_NAMES = List.of(FILE_NAME, POLICY_FILE_NAME);

    private CrdWriter() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/classes/META-INF/fabric8");
        System.out.println("Wrote " + write(dir));
    }

    /** Writes both CRDs into the directory; returns their files, the job's first. */
    public static List<Path> write(Path dir) throws Exception {
        Files.createDirectories(dir);
        var info = new CRDGenerator()
                .customResourceClasses(IiifJob.class, IiifJobPolicy.class)
                .forCRDVersions("v1")
                .withParallelGenerationEnabled(false)
                .withPostProcessor(new ColumnsInDeclaredOrder())
                .inOutputDir(dir.toFile())
                .detailedGenerate();
        return List.of(
                Path.of(info.getCRDInfos(IiifJob.CRD_NAME).get("v1").getFilePath()),
                Path.of(info.getCRDInfos(IiifJobPolicy.CRD_NAME).get("v1").getFilePath()));
    }

    /** The generator sorts printer columns by JSON path; kubectl shows them in the order given. */
    static final class ColumnsInDeclaredOrder implements CRDPostProcessor {
        @Override
        public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
            if (!IiifJob.CRD_NAME.equals(crd.getMetadata().getName())) {
                return policy((CustomResourceDefinition) crd);
            }
            List<String> order = Arrays.stream(IiifJob.class.getAnnotationsByType(AdditionalPrinterColumn.class))
                    .map(AdditionalPrinterColumn::name)
                    .toList();
            for (var version : ((CustomResourceDefinition) crd).getSpec().getVersions()) {
                version.getAdditionalPrinterColumns()
                        .sort(Comparator.comparingInt(
                                (CustomResourceColumnDefinition c) -> order.indexOf(c.getName())));
                var root = version.getSchema().getOpenAPIV3Schema();
                root.setDescription("go-iiif processing of a list of image URIs, run as ECS tasks or through a Lambda"
                        + " function by the iiif-aws operator.");
                root.getProperties().get("spec").setDescription("What to process and where to run it.");
                root.getProperties()
                        .get("status")
                        .setDescription("What the operator observed; written only by the operator.");
            }
            return crd;
        }

        private static HasMetadata policy(CustomResourceDefinition crd) {
            for (var version : crd.getSpec().getVersions()) {
                var root = version.getSchema().getOpenAPIV3Schema();
                root.setDescription("What the IiifJobs of some namespaces may do with the iiif-aws operator's AWS"
                        + " identity, or the role it names. A job is allowed when a policy that selects its namespace"
                        + " allows all of it; with no policy at all every job is.");
                var spec = root.getProperties().get("spec");
                spec.setDescription("The namespaces, and what their jobs may name.");
                // The generator leaves a list in a list without the bounds its annotations give.
                var command = spec.getProperties().get("commands").getItems().getSchema();
                command.setMinItems(1L);
                command.setMaxItems(16L);
                command.getItems().getSchema().setMinLength(1L);
                command.getItems().getSchema().setMaxLength(1024L);
                root.getProperties()
                        .get("status")
                        .setDescription("What the operator found; written only by the operator.");
            }
            return crd;
        }
    }
}
