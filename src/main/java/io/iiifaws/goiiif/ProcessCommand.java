package io.iiifaws.goiiif;

import io.iiifaws.api.ProcessSpec;
import io.iiifaws.api.ProcessStyle;
import java.util.ArrayList;
import java.util.List;

/**
 * The argv of go-iiif's {@code iiif-process} for a list of URIs, in the flag style of the go-iiif
 * release in the container. The result is an argument vector for ECS's container command: no shell
 * ever reads it, and no URI can be taken for a flag.
 */
public record ProcessCommand(
    ProcessStyle style, List<String> command, String config, String instructions, boolean report,
    String reportName) {

  public ProcessCommand {
    command = List.copyOf(command);
  }

  public static ProcessCommand of(ProcessSpec spec) {
    return new ProcessCommand(
        spec.style(),
        spec.command(),
        spec.config(),
        spec.instructions(),
        spec.report(),
        spec.reportName());
  }

  /** The full argv for these URIs. */
  public List<String> argv(List<String> uris) {
    List<String> argv = new ArrayList<>(flags());
    if (style == ProcessStyle.v1) {
      for (String uri : uris) {
        argv.add("-uri=" + requireNotFlag(uri));
      }
    } else {
      argv.add("--");
      for (String uri : uris) {
        argv.add(requireNotFlag(uri));
      }
    }
    return argv;
  }

  /** The argv up to the URIs: the command and every flag. */
  public List<String> flags() {
    List<String> argv = new ArrayList<>(command);
    switch (style) {
      case v4 -> {
        addSource(argv, "config", config);
        addSource(argv, "instructions", instructions);
        if (report) {
          argv.add("-report");
          if (reportName != null) {
            argv.add("-report-template");
            argv.add(reportName);
          }
        }
      }
      case v2, v1 -> {
        argv.add("-config");
        argv.add(config);
        argv.add("-instructions");
        argv.add(instructions);
        if (report) {
          argv.add("-report");
          if (reportName != null) {
            argv.add("-report-name");
            argv.add(reportName);
          }
        }
      }
    }
    return argv;
  }

  /** Characters each URI adds to the argv beyond itself (the "-uri=" prefix in style v1). */
  public int perUriOverhead() {
    return style == ProcessStyle.v1 ? "-uri=".length() : 0;
  }

  private static void addSource(List<String> argv, String name, String location) {
    BlobLocation blob = BlobLocation.parse(location);
    argv.add("-" + name + "-source");
    argv.add(blob.source());
    if (blob.name() != null) {
      argv.add("-" + name + "-name");
      argv.add(blob.name());
    }
  }

  static String requireNotFlag(String uri) {
    if (uri.isEmpty() || uri.startsWith("-")) {
      throw new IllegalArgumentException(
          "URI '" + uri + "' would be read as a flag by iiif-process: URIs may not be empty or start with '-'");
    }
    return uri;
  }
}
