package io.iiifaws.api;

public enum ManifestFormat {
    Lines,
    Inventory
}
