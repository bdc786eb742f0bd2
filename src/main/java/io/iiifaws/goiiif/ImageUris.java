package io.iiifaws.goiiif;

import java.util.Locale;
import java.util.Set;

/** What go-iiif-aws did to image URIs before handing them to go-iiif. */
public final class ImageUris {
    /**
     * Extensions of the raster formats go-iiif reads; go-iiif-aws asked Go's MIME table whether an
     * extension is an image/* type, which answers the same for these.
     */
    private static final Set<String> IMAGE_EXTENSIONS = Set.of(
            "jpg", "jpeg", "jpe", "png", "gif", "tif", "tiff", "webp", "avif", "bmp", "jp2", "jpx", "heic", "heif",
            "svg");

    private ImageUris() {}

    /** Whether the URI's file name ends in an image extension (case-insensitive). */
    public static boolean isImage(String uri) {
        String name = baseName(uri);
        int dot = name.lastIndexOf('.');
        return dot >= 0 && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /**
     * The last path element, as Go's {@code filepath.Base}: trailing slashes are dropped first. A
     * query string or fragment stays part of the name, as it did in go-iiif-aws.
     */
    public static String baseName(String uri) {
        String trimmed = uri;
        while (trimmed.length() > 1 && trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        int slash = trimmed.lastIndexOf('/');
        return slash < 0 || trimmed.length() == 1 ? trimmed : trimmed.substring(slash + 1);
    }
}
