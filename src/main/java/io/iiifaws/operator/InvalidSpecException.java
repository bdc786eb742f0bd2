package io.iiifaws.operator;

/** A spec that cannot work, or may not run, with a message that names the field. */
public class InvalidSpecException extends Exception {
    private final String reason;

    public InvalidSpecException(String message) {
        this("InvalidSpec", message);
    }

    /** @param reason the job's failure reason: InvalidSpec, or PolicyDenied */
    public InvalidSpecException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
