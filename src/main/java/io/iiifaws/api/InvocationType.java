package io.iiifaws.api;

public enum InvocationType {
    RequestResponse,
    Event,
    DryRun
}
