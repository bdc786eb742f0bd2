package io.iiifaws.goiiif;

import io.iiifaws.api.ProcessSpec;
import io.iiifaws.api.ProcessStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The argv of go-iiif's {@code iiif-process} for a list of URIs, in the flag style of the go-iiif
 * release in the container. The result is an argument vector for ECS's container command: no shell
 * ever reads it, and no URI can be taken for a flag.
 */
public record ProcessCommand(
        ProcessStyle style,
        List<String> command,
        String config,
        String instructions,
        boolean report,
        String reportName) {

    /** go-iiif 4+'s own report name, which the operator passes so that it knows where to look. */
    public static final String REPORT_TEMPLATE = "process_{sha256_origin}.json";

    public ProcessCommand {
        command = List.copyOf(command);
    }

    public static ProcessCommand of(ProcessSpec spec) {
        return new ProcessCommand(
                spec.style(), spec.command(), spec.config(), spec.instructions(), spec.report(), spec.reportName());
    }

    /** The full argv for these URIs, with reports where go-iiif puts them (or none). */
    public List<String> argv(List<String> uris) {
        return argv(uris, Optional.empty());
    }

    /**
     * The full argv for these URIs.
     *
     * @param reports where go-iiif writes its report of each image (style v4): the operator reads
     *     them there
     */
    public List<String> argv(List<String> uris, Optional<ReportLocation> reports) {
        List<String> argv = new ArrayList<>(flags(reports));
        if (style != ProcessStyle.v1) {
            argv.add("--");
        }
        for (String uri : uris) {
            argv.add(uriArgument(uri));
        }
        return argv;
    }

    /** The argv up to the URIs: the command and every flag. */
    public List<String> flags(Optional<ReportLocation> reports) {
        List<String> argv = new ArrayList<>(command);
        switch (style) {
            case v4 -> {
                addSource(argv, "config", config);
                addSource(argv, "instructions", instructions);
                if (reports.isPresent()) {
                    argv.addAll(List.of("-report", "-report-template", REPORT_TEMPLATE));
                } else if (report) {
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

    /**
     * The container's environment for these reports. go-iiif 7 and 8 name the reports bucket
     * {@code -report-bucket-uri}, go-iiif 4 to 6 {@code -report-source}, and an unknown flag stops
     * them; each reads its own IIIF_* variable and ignores the other's, so the bucket goes in both.
     * A variable of the task definition by the same name cannot override these.
     */
    public Map<String, String> environment(Optional<ReportLocation> reports) {
        if (reports.isEmpty() || style != ProcessStyle.v4) {
            return Map.of();
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("IIIF_REPORT_BUCKET_URI", reports.get().goCloudUri());
        env.put("IIIF_REPORT_SOURCE", reports.get().goCloudUri());
        return env;
    }

    /**
     * Variables of the container's environment that go-iiif would take over the flags this command
     * passes: go-iiif 4+ sets each flag from IIIF_FLAG_NAME after parsing its command line, go-iiif 2
     * and 3 from IIIF_PROCESS_FLAG_NAME, so a task definition's variable silently wins. Empty when
     * none does (or for go-iiif 1, which reads none).
     *
     * @param environment the container's environment in the task definition
     */
    public List<String> overriddenFlags(Map<String, String> environment, Optional<ReportLocation> reports) {
        String prefix =
                switch (style) {
                    case v4 -> "IIIF_";
                    case v2 -> "IIIF_PROCESS_";
                    case v1 -> null;
                };
        if (prefix == null) {
            return List.of();
        }
        Map<String, String> ours = environment(reports);
        List<String> overridden = new ArrayList<>();
        for (String arg : flags(reports).subList(command.size(), flags(reports).size())) {
            if (arg.startsWith("-")) {
                String variable = prefix
                        + arg.substring(1).toUpperCase(java.util.Locale.ROOT).replace('-', '_');
                if (environment.containsKey(variable) && !ours.containsKey(variable)) {
                    overridden.add(variable + " (over " + arg + ")");
                }
            }
        }
        return overridden;
    }

    /** Why go-iiif cannot process this URI as one image, if it cannot. */
    public Optional<String> uriProblem(String uri) {
        return style == ProcessStyle.v4 ? GoIiifUri.problem(uri) : Optional.empty();
    }

    /**
     * One URI as an argument: in style v4 in the form that makes go-iiif place the image's
     * derivatives and report under its own path; in v1 as the value of its own {@code -uri} flag.
     *
     * @throws IllegalArgumentException for a URI go-iiif could take for a flag
     */
    public String uriArgument(String uri) {
        requireNotFlag(uri);
        return switch (style) {
            case v4 -> GoIiifUri.argument(uri);
            case v2 -> uri;
            case v1 -> "-uri=" + uri;
        };
    }

    /** The name of the report go-iiif 4+ writes for a URI, under the reports location. */
    public String reportName(String uri) {
        return GoIiifUri.reportName(uri);
    }

    /** Whether the operator can find go-iiif's reports of this style and check every image. */
    public boolean reportsReadable() {
        return style == ProcessStyle.v4;
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
            throw new IllegalArgumentException("URI '" + uri
                    + "' would be read as a flag by iiif-process: URIs may not be empty or start with '-'");
        }
        return uri;
    }
}
