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
    return ProcessCommand.of(new ProcessSpec(style, null, null, report, reportName, null, null));
  }

  @Test
  void v4SplitsFilesIntoSourceAndNameAndPutsUrisAfterTheFlags() {
    assertThat(command(ProcessStyle.v4, true, "process.json").argv(List.of("avocado.png", "dir/b.jpg")))
        .containsExactly(
            "/bin/iiif-process",
            "-config-source", "file:///etc/go-iiif", "-config-name", "config.json",
            "-instructions-source", "file:///etc/go-iiif", "-instructions-name", "instructions.json",
            "-report", "-report-template", "process.json",
            "--", "avocado.png", "dir/b.jpg");
  }

  @Test
  void v2UsesConfigAndInstructionsPathsAndPositionalUris() {
    assertThat(command(ProcessStyle.v2, true, "process.json").argv(List.of("a.jpg")))
        .containsExactly(
            "/bin/iiif-process", "-config", "/etc/go-iiif/config.json", "-instructions",
            "/etc/go-iiif/instructions.json", "-report", "-report-name", "process.json", "--", "a.jpg");
  }

  @Test
  void v1PassesEachUriAsTheValueOfItsOwnUriFlag() {
    assertThat(command(ProcessStyle.v1, false, null).argv(List.of("a.jpg", "b c.png")))
        .containsExactly(
            "/bin/iiif-process", "-config", "/etc/go-iiif/config.json", "-instructions",
            "/etc/go-iiif/instructions.json", "-uri=a.jpg", "-uri=b c.png");
  }

  @Test
  void reportFlagsAreLeftOutUnlessAskedFor() {
    assertThat(command(ProcessStyle.v4, false, "ignored.json").flags()).doesNotContain("-report", "-report-template", "ignored.json");
    assertThat(command(ProcessStyle.v4, true, null).flags()).contains("-report").doesNotContain("-report-template");
  }

  @Test
  void aCustomCommandReplacesTheBinary() {
    var spec = new ProcessSpec(ProcessStyle.v4, "defaults://", "s3blob://bucket/iiif/instructions.json?region=eu-west-1",
        null, null, null, List.of("/usr/local/bin/iiif-process", "-verbose"));
    assertThat(ProcessCommand.of(spec).argv(List.of("a.jpg")))
        .containsExactly(
            "/usr/local/bin/iiif-process", "-verbose", "-config-source", "defaults://",
            "-instructions-source", "s3blob://bucket/iiif?region=eu-west-1", "-instructions-name", "instructions.json",
            "--", "a.jpg");
  }

  @ParameterizedTest
  @EnumSource(ProcessStyle.class)
  void noUriIsEverReadAsAFlag(ProcessStyle style) {
    ProcessCommand command = command(style, false, null);
    List<String> argv = command.argv(List.of("a.jpg", "x=-y.png", "c -d.jpg"));
    int firstUri = style == ProcessStyle.v1 ? command.flags().size() : argv.indexOf("--") + 1;
    assertThat(argv.subList(firstUri, argv.size())).allSatisfy(arg -> assertThat(arg).doesNotStartWith("--"));
    if (style != ProcessStyle.v1) {
      assertThat(argv.indexOf("--")).isEqualTo(command.flags().size());
    } else {
      assertThat(argv.subList(firstUri, argv.size())).allSatisfy(arg -> assertThat(arg).startsWith("-uri="));
    }
    assertThatThrownBy(() -> command.argv(List.of("a.jpg", "-config=/tmp/evil.json")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-config=/tmp/evil.json");
    assertThatThrownBy(() -> command.argv(List.of(""))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void blobLocationsAcceptPathsBucketUrisAndDefaults() {
    assertThat(BlobLocation.parse("/config.json")).isEqualTo(new BlobLocation("file:///", "config.json"));
    assertThat(BlobLocation.parse("file:///etc/iiif/c.json")).isEqualTo(new BlobLocation("file:///etc/iiif", "c.json"));
    assertThat(BlobLocation.parse("defaults://")).isEqualTo(new BlobLocation("defaults://", null));
    assertThatThrownBy(() -> BlobLocation.parse("relative/config.json")).hasMessageContaining("absolute path");
    assertThatThrownBy(() -> BlobLocation.parse("s3blob://bucket")).hasMessageContaining("no file");
    assertThatThrownBy(() -> BlobLocation.parse("/etc/go-iiif/")).hasMessageContaining("names no file");
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
