package io.iiifaws.goiiif;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** go-iiif's reports as the real v8.1.8 wrote them (test resources go-iiif/v8.1.8/), and the judgement on them. */
class ReportsTest {
    static ProcessReport real(String name) throws IOException {
        try (InputStream in = ReportsTest.class.getResourceAsStream("/go-iiif/v8.1.8/" + name)) {
            return ProcessReport.parse(in.readAllBytes());
        }
    }

    @Test
    void aProcessedImagesReportListsItsDerivatives() throws IOException {
        ProcessReport report = real("processed-avocado.png.json");
        assertThat(report.origin()).isEqualTo("avocado.png");
        assertThat(report.fingerprint()).isEqualTo("936cacda29ca37f7cac8b9720354eff4e8f01316");
        assertThat(report.uris())
                .containsEntry("b", "file:///avocado.png/full/!2048,1536/0/color.jpg")
                .hasSize(4);
        assertThat(report.derivedAnything()).isTrue();
    }

    @Test
    void aFailedImageStillHasAReportButNoDerivatives() throws IOException {
        for (String name : List.of("failed-corrupt.jpg.json", "failed-missing.jpg.json")) {
            ProcessReport report = real(name);
            assertThat(report.derivedAnything()).as(name).isFalse();
            assertThat(report.fingerprint()).isNull();
        }
    }

    @Test
    void goIiif1sShapeAndNonsenseAreToldApart() {
        ProcessReport v1 = ProcessReport.parse(
                "{\"dimensions\":{\"o\":[1,1]},\"uris\":{\"o\":\"/a.jpg/full/full/0/default.jpg\"}}".getBytes());
        assertThat(v1.derivedAnything()).isTrue();
        assertThat(v1.origin()).isNull();
        assertThatThrownBy(() -> ProcessReport.parse("[1,2]".getBytes())).hasMessage("not a JSON object");
        assertThatThrownBy(() -> ProcessReport.parse("{\"uris\":[]}".getBytes()))
                .hasMessage("'uris' is not an object");
        assertThatThrownBy(() -> ProcessReport.parse("<html>".getBytes())).hasMessageStartingWith("not JSON");
    }

    @Test
    void eachImageIsProcessedOrFailedWithTheReason() throws IOException {
        ImageCheck check = ImageCheck.judge(
                List.of("avocado.png", "corrupt.jpg", "missing.jpg", "odd.jpg"),
                Map.of(
                        "avocado.png",
                        real("processed-avocado.png.json"),
                        "corrupt.jpg",
                        real("failed-corrupt.jpg.json")),
                Map.of("odd.jpg", "not JSON"));

        assertThat(check.processed()).isEqualTo(1);
        assertThat(check.failures())
                .containsExactly(
                        new ImageCheck.Image("corrupt.jpg", "go-iiif derived nothing from it"),
                        new ImageCheck.Image("missing.jpg", "go-iiif wrote no report"),
                        new ImageCheck.Image("odd.jpg", "its report cannot be read: not JSON"));
        assertThat(check.noReports()).isFalse();
        assertThat(ImageCheck.judge(List.of("a.jpg", "b.jpg"), Map.of(), Map.of())
                        .noReports())
                .isTrue();
    }

    @Test
    void reportLocationsAreS3PrefixesWithARegion() {
        ReportLocation location = ReportLocation.parse("s3://museum-iiif/reports?region=eu-west-1", "us-east-1");
        assertThat(location).isEqualTo(new ReportLocation("museum-iiif", "reports/", "eu-west-1"));
        assertThat(location.run(0, 1).toString()).isEqualTo("s3://museum-iiif/reports/batch-0/attempt-1/");
        assertThat(ReportLocation.parse(location.uri(), "us-east-1")).isEqualTo(location);
        assertThat(ReportLocation.parse("s3://museum-iiif", "us-east-1").goCloudUri())
                .isEqualTo("s3blob://museum-iiif?region=us-east-1&credentials=iam:");
        assertThat(ReportLocation.parse("s3://b-1/a b/", "us-east-1").goCloudUri())
                .contains("prefix=a%20b/");
        assertThatThrownBy(() -> ReportLocation.parse("s3blob://museum-iiif/reports/", "us-east-1"))
                .hasMessageContaining("not an S3 location such as s3://bucket/prefix/");
        assertThatThrownBy(() -> ReportLocation.parse("s3://Bad_Bucket/", "us-east-1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReportLocation.parse("s3://b-1/a//b/", "us-east-1"))
                .hasMessageContaining("empty path segment");
    }
}
