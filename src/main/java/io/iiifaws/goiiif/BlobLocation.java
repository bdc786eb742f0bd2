package io.iiifaws.goiiif;

/**
 * A go-iiif config or instructions file, split the way go-iiif 4+ wants it: a Go Cloud bucket URI
 * ({@code -config-source}) and the file's key in it ({@code -config-name}).
 */
public record BlobLocation(String source, String name) {
  private static final String DEFAULTS = "defaults://";

  /**
   * Accepts an absolute path ({@code /etc/go-iiif/config.json} becomes {@code file:///etc/go-iiif}
   * and {@code config.json}), a bucket URI ending in the file name ({@code
   * s3blob://bucket/dir/config.json?region=eu-west-1}), or {@code defaults://} for the files built
   * into go-iiif.
   */
  public static BlobLocation parse(String location) {
    if (location.startsWith(DEFAULTS)) {
      return new BlobLocation(DEFAULTS, null);
    }
    if (location.startsWith("/")) {
      int slash = location.lastIndexOf('/');
      String dir = slash == 0 ? "/" : location.substring(0, slash);
      return new BlobLocation("file://" + dir, nonEmptyName(location, location.substring(slash + 1)));
    }
    int scheme = location.indexOf("://");
    if (scheme > 0) {
      int queryAt = location.indexOf('?');
      String path = queryAt < 0 ? location : location.substring(0, queryAt);
      String query = queryAt < 0 ? "" : location.substring(queryAt);
      int slash = path.lastIndexOf('/');
      if (slash <= scheme + 2) {
        throw new IllegalArgumentException(
            "'" + location + "' names a bucket but no file in it");
      }
      return new BlobLocation(
          path.substring(0, slash) + query, nonEmptyName(location, path.substring(slash + 1)));
    }
    throw new IllegalArgumentException(
        "'" + location + "' is neither an absolute path nor a Go Cloud bucket URI");
  }

  private static String nonEmptyName(String location, String name) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("'" + location + "' ends in '/' and names no file");
    }
    return name;
  }
}
