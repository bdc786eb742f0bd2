package io.iiifaws;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The packages' layers, arrows pointing down only: the CRD types, go-iiif's own rules and the job policies', AWS
 * clients and errors, ECS, Lambda and the listing of collections, go-iiif-aws's settings, then the programs, which do not
 * reach into each other: the operator and the Lambda handler, the demo, and the command line that
 * starts them.
 */
class LayersTest {
    static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("io.iiifaws");

    @Test
    void dependenciesPointDownOnly() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("api")
                .definedBy("io.iiifaws.api..")
                .layer("goiiif")
                .definedBy("io.iiifaws.goiiif..")
                .layer("policy")
                .definedBy("io.iiifaws.policy..")
                .layer("aws")
                .definedBy("io.iiifaws.aws..")
                .layer("ecs and lambda")
                .definedBy("io.iiifaws.ecs..", "io.iiifaws.lambda..", "io.iiifaws.collection..")
                .layer("goiiifaws")
                .definedBy("io.iiifaws.goiiifaws..")
                .layer("operator")
                .definedBy("io.iiifaws.operator..")
                .layer("handler")
                .definedBy("io.iiifaws.handler..")
                .layer("demo")
                .definedBy("io.iiifaws.demo..")
                .layer("cli")
                .definedBy("io.iiifaws.cli..")
                .whereLayer("api")
                .mayNotAccessAnyLayer()
                .whereLayer("goiiif")
                .mayOnlyAccessLayers("api")
                .whereLayer("policy")
                .mayOnlyAccessLayers("api")
                .whereLayer("aws")
                .mayOnlyAccessLayers("api", "goiiif")
                .whereLayer("ecs and lambda")
                .mayOnlyAccessLayers("api", "goiiif", "aws")
                .whereLayer("goiiifaws")
                .mayOnlyAccessLayers("api", "goiiif", "aws", "ecs and lambda")
                .whereLayer("operator")
                .mayOnlyAccessLayers("api", "goiiif", "policy", "aws", "ecs and lambda")
                .whereLayer("handler")
                .mayOnlyAccessLayers("api", "goiiif", "aws", "ecs and lambda", "goiiifaws")
                .whereLayer("demo")
                .mayOnlyAccessLayers("api", "goiiif", "aws", "ecs and lambda", "operator")
                .whereLayer("cli")
                .mayNotBeAccessedByAnyLayer()
                .check(MAIN);
    }
}
