package io.iiifaws.goiiif;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What go-iiif's reports say of each image of one run: processed (a report that lists
 * derivatives) or failed (no report, or a report with none: go-iiif 4 to 8 write one with empty
 * {@code uris} for an image they could not read or decode).
 */
public record ImageCheck(List<Image> images, int reportsFound) {

    /** One image; {@code problem} is null when it was processed, {@code derivatives} what its report lists. */
    public record Image(String uri, String problem, int derivatives) {
        public Image(String uri, String problem) {
            this(uri, problem, 0);
        }

        public boolean processed() {
            return problem == null;
        }
    }

    public ImageCheck {
        images = List.copyOf(images);
    }

    /**
     * @param uris the run's URIs, as the job lists them
     * @param reports the report found for each URI, by URI
     * @param unreadable why a report that exists could not be read, by URI
     */
    public static ImageCheck judge(
            List<String> uris, Map<String, ProcessReport> reports, Map<String, String> unreadable) {
        List<Image> images = new ArrayList<>(uris.size());
        for (String uri : uris) {
            ProcessReport report = reports.get(uri);
            String problem;
            if (unreadable.containsKey(uri)) {
                problem = "its report cannot be read: " + unreadable.get(uri);
            } else if (report == null) {
                problem = "go-iiif wrote no report";
            } else if (!report.derivedAnything()) {
                problem = "go-iiif derived nothing from it";
            } else {
                problem = null;
            }
            images.add(
                    new Image(uri, problem, report == null ? 0 : report.uris().size()));
        }
        return new ImageCheck(images, reports.size() + unreadable.size());
    }

    /** go-iiif left no report at all: the run did not process the batch (wrong flags, a bucket it could not open). */
    public boolean noReports() {
        return reportsFound == 0 && !images.isEmpty();
    }

    public int processed() {
        return (int) images.stream().filter(Image::processed).count();
    }

    public List<Image> failures() {
        return images.stream().filter(i -> !i.processed()).toList();
    }
}
