package io.iiifaws.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventNamesTest {
    /** Kubernetes' DNS subdomain names: at most 253 characters, labels of a-z, 0-9 and '-' that start and end alphanumeric. */
    static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    @ParameterizedTest
    @ValueSource(ints = {1, 200, 239, 240, 241, 252})
    void anEventNameIsAValidNameWhateverTheJobsNameIsCutAt(int dashAt) {
        // A job name of 253 characters whose character at the cut is '-' or '.'.
        StringBuilder name = new StringBuilder("a".repeat(253));
        name.setCharAt(Math.min(dashAt, 251), '-');
        name.setCharAt(239, '.');
        name.setCharAt(238, '-');
        String event = EventRecorder.eventName(name.toString(), "0123456789ab");
        assertThat(event.length()).isLessThanOrEqualTo(253);
        assertThat(event).matches(DNS_SUBDOMAIN);
    }
}
