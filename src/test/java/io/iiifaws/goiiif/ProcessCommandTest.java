package io.iiifaws.goiiif;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iiifaws.api.ProcessSpec;
import io.iiifaws.api.ProcessStyle;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ProcessCommandTest {
    static ProcessCommand command(ProcessStyle style, boolean report, String reportName) {
        return ProcessCommand.of(new ProcessSpec(style, null, null, report, reportName, null, null, null, null));
    }

    @Test
    void v4SplitsFilesIntoSourceAndNameAndGivesEachUriItsOwnTarget() {
        assertThat(command(ProcessStyle.v4, true, "process.json").argv(List.of("avocado.png", "dir/b.jpg")))
                .containsExactly(
                        "/bin/iiif-process",
                        "-config-source",
                        "file:///etc/go-iiif",
                        "-config-name",
                        "config.json",
                        "-instructions-source",
                        "file:///etc/go-iiif",
                        "-instructions-name",
                        "instructions.json",
                        "-report",
                        "-report-template",
                        "process.json",
                        "--",
                        "file:///avocado.png?target=%2Favocado.png",
                        "file:///dir/b.jpg?target=%2Fdir%2Fb.jpg");
    }

    @Test
    void reportsToABucketNameThemAsTheOperatorReadsThemAndReachEveryGoIiifFrom4To8() {
        ProcessCommand command = command(ProcessStyle.v4, false, null);
        var reports = java.util.Optional.of(
                ReportLocation.parse("s3://museum-iiif/reports/", "eu-west-1").run(2, 3));

        assertThat(command.flags(reports)).endsWith("-report", "-report-template", "process_{sha256_origin}.json");
        String bucket = "s3blob://museum-iiif?prefix=reports/batch-2/attempt-3/&region=eu-west-1&credentials=iam:";
        assertThat(command.environment(reports))
                .containsExactly(
                        java.util.Map.entry("IIIF_REPORT_BUCKET_URI", bucket),
                        java.util.Map.entry("IIIF_REPORT_SOURCE", bucket));
        assertThat(command(ProcessStyle.v2, false, null).environment(reports)).isEmpty();
        assertThat(command.environment(java.util.Optional.empty())).isEmpty();
    }

    @Test
    void v2UsesConfigAndInstructionsPathsAndPositionalUris() {
        assertThat(command(ProcessStyle.v2, true, "process.json").argv(List.of("a.jpg")))
                .containsExactly(
                        "/bin/iiif-process",
                        "-config",
                        "/etc/go-iiif/config.json",
                        "-instructions",
                        "/etc/go-iiif/instructions.json",
                        "-report",
                        "-report-name",
                        "process.json",
                        "--",
                        "a.jpg");
    }

    @Test
    void v1PassesEachUriAsTheValueOfItsOwnUriFlag() {
        assertThat(command(ProcessStyle.v1, false, null).argv(List.of("a.jpg", "b c.png")))
                .containsExactly(
                        "/bin/iiif-process",
                        "-config",
                        "/etc/go-iiif/config.json",
                        "-instructions",
                        "/etc/go-iiif/instructions.json",
                        "-uri=a.jpg",
                        "-uri=b c.png");
    }

    @Test
    void reportFlagsAreLeftOutUnlessAskedFor() {
        assertThat(command(ProcessStyle.v4, false, "ignored.json").flags(java.util.Optional.empty()))
                .doesNotContain("-report", "-report-template", "ignored.json");
        assertThat(command(ProcessStyle.v4, true, null).flags(java.util.Optional.empty()))
                .contains("-report")
                .doesNotContain("-report-template");
    }

    @Test
    void aCustomCommandReplacesTheBinary() {
        var spec = new ProcessSpec(
                ProcessStyle.v4,
                "defaults://",
                "s3blob://bucket/iiif/instructions.json?region=eu-west-1&credentials=iam:",
                null,
                null,
                null,
                List.of("/usr/local/bin/iiif-process", "-verbose"),
                null,
                null);
        assertThat(ProcessCommand.of(spec).argv(List.of("a.jpg")))
                .containsExactly(
                        "/usr/local/bin/iiif-process",
                        "-verbose",
                        "-config-source",
                        "defaults://",
                        "-instructions-source",
                        "s3blob://bucket?prefix=iiif/&region=eu-west-1&credentials=iam:",
                        "-instructions-name",
                        "instructions.json",
                        "--",
                        "file:///a.jpg?target=%2Fa.jpg");
    }

    @Test
    void keysGoIiifCannotProcessAreNamedForV4Only() {
        assertThat(command(ProcessStyle.v4, false, null).uriProblem("100%.jpg")).isPresent();
        assertThat(command(ProcessStyle.v2, false, null).uriProblem("100%.jpg")).isEmpty();
        assertThat(command(ProcessStyle.v4, false, null).uriProblem("collection/IMG_0084.JPG"))
                .isEmpty();
    }

    @ParameterizedTest
    @EnumSource(ProcessStyle.class)
    void noUriIsEverReadAsAFlag(ProcessStyle style) {
        ProcessCommand command = command(style, false, null);
        List<String> argv = command.argv(List.of("a.jpg", "x=-y.png", "c -d.jpg"));
        int firstUri = style == ProcessStyle.v1
                ? command.flags(java.util.Optional.empty()).size()
                : argv.indexOf("--") + 1;
        assertThat(argv.subList(firstUri, argv.size()))
                .allSatisfy(arg -> assertThat(arg).doesNotStartWith("--"));
        if (style != ProcessStyle.v1) {
            assertThat(argv.indexOf("--"))
                    .isEqualTo(command.flags(java.util.Optional.empty()).size());
        } else {
            assertThat(argv.subList(firstUri, argv.size()))
                    .allSatisfy(arg -> assertThat(arg).startsWith("-uri="));
        }
        assertThatThrownBy(() -> command.argv(List.of("a.jpg", "-config=/tmp/evil.json")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-config=/tmp/evil.json");
        assertThatThrownBy(() -> command.argv(List.of(""))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void blobLocationsAcceptPathsBucketUrisAndDefaults() {
        assertThat(BlobLocation.parse("/config.json")).isEqualTo(new BlobLocation("file:///", "config.json"));
        assertThat(BlobLocation.parse("file:///etc/iiif/c.json"))
                .isEqualTo(new BlobLocation("file:///etc/iiif", "c.json"));
        assertThat(BlobLocation.parse("defaults://")).isEqualTo(new BlobLocation("defaults://", null));
        assertThatThrownBy(() -> BlobLocation.parse("relative/config.json")).hasMessageContaining("absolute path");
        assertThatThrownBy(() -> BlobLocation.parse("s3blob://bucket")).hasMessageContaining("no file");
        assertThatThrownBy(() -> BlobLocation.parse("/etc/go-iiif/")).hasMessageContaining("names no file");
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(
            delimiter = '|',
            textBlock =
                    """
      s3blob://museum-iiif-config/go-iiif/config.json?region=us-east-1&credentials=iam: | s3blob://museum-iiif-config?prefix=go-iiif/&region=us-east-1&credentials=iam: | config.json
      s3blob://cfg/config.json?region=us-east-1&credentials=env:                         | s3blob://cfg?region=us-east-1&credentials=env:                                | config.json
      s3blob://cfg/a/b/c.json?prefix=base/&region=eu-west-1&credentials=iam:             | s3blob://cfg?prefix=base/a/b/&region=eu-west-1&credentials=iam:               | c.json
      s3://museum-iiif-config/go-iiif/config.json?region=us-east-1                       | s3://museum-iiif-config?prefix=go-iiif/&region=us-east-1                     | config.json
      gs://museum-iiif-config/go-iiif/config.json                                        | gs://museum-iiif-config?prefix=go-iiif/                                      | config.json
      azblob://container/go iiif/config.json?domain=x                                    | azblob://container?prefix=go%20iiif/&domain=x                                | config.json
      file:///etc/go-iiif/config.json                                                    | file:///etc/go-iiif                                                          | config.json
      file:///etc/go-iiif/config.json?create_dir=true                                    | file:///etc/go-iiif?create_dir=true                                          | config.json
      """)
    void bucketUrisSplitIntoTheBucketWithItsPrefixAndTheKey(String location, String source, String name) {
        assertThat(BlobLocation.parse(location)).isEqualTo(new BlobLocation(source, name));
    }

    @Test
    void whatGoIiifRefusesOfS3BucketsIsRefusedWithTheFix() {
        assertThatThrownBy(() -> BlobLocation.parse("s3blob://cfg/go-iiif/config.json?region=us-east-1"))
                .hasMessageContaining("credentials=")
                .hasMessageContaining("add credentials=iam:");
        assertThatThrownBy(() -> BlobLocation.parse("s3blob://cfg/config.json?credentials=iam:"))
                .hasMessageContaining("add region=REGION");
        assertThatThrownBy(() -> BlobLocation.parse("s3://cfg/config.json?region=us-east-1&credentials=iam:"))
                .hasMessageContaining("take no credentials=");
    }

    @Test
    void imageUrisAreRecognisedByExtensionAndStrippedToTheirBaseName() {
        assertThat(ImageUris.isImage("collection/IMG_0084.JPG")).isTrue();
        assertThat(ImageUris.isImage("s3://bucket/a.tiff")).isTrue();
        assertThat(ImageUris.isImage("notes.txt")).isFalse();
        assertThat(ImageUris.isImage("no-extension")).isFalse();
        assertThat(ImageUris.baseName("a/b/c.jpg")).isEqualTo("c.jpg");
        assertThat(ImageUris.baseName("a/b/")).isEqualTo("b");
        assertThat(ImageUris.baseName("c.jpg")).isEqualTo("c.jpg");
    }
}
