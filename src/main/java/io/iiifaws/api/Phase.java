package io.iiifaws.api;

public enum Phase {
    Pending,
    Running,
    Succeeded,
    Failed;

    public boolean isFinished() {
        return this == Succeeded || this == Failed;
    }
}
