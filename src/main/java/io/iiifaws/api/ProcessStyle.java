package io.iiifaws.api;

/**
 * The generation of go-iiif's {@code iiif-process} flags the container understands.
 *
 * <ul>
 *   <li>{@code v4}: go-iiif 4 to 8: {@code -config-source}/{@code -config-name}, {@code
 *       -instructions-source}/{@code -instructions-name}, {@code -report-template}, positional URIs.
 *   <li>{@code v2}: go-iiif 2 and 3: {@code -config}, {@code -instructions}, {@code -report-name},
 *       positional URIs.
 *   <li>{@code v1}: go-iiif 1.x: {@code -config}, {@code -instructions}, {@code -report-name}, one
 *       {@code -uri} per URI.
 * </ul>
 */
public enum ProcessStyle {
    v4,
    v2,
    v1
}
