package io.iiifaws.operator;

/** A spec that cannot work, with a message that names the field. */
public class InvalidSpecException extends Exception {
    public InvalidSpecException(String message) {
        super(message);
    }
}
