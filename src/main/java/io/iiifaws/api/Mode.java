package io.iiifaws.api;

/** How a job reaches go-iiif: by running an ECS task itself, or by invoking a Lambda function. */
public enum Mode {
    Task,
    Invoke
}
