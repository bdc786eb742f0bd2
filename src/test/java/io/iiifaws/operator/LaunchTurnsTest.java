package io.iiifaws.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LaunchTurnsTest {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void turnsFollowEachOtherAtTheRateAndAJobOfManyTasksTakesAsManyTurns() {
        LaunchTurns turns = new LaunchTurns(16);

        assertThat(turns.reserve(1, T0)).isEqualTo(T0);
        assertThat(turns.reserve(4, T0)).isEqualTo(T0.plusNanos(62_500_000L));
        // The job before took four turns: the next one comes 4/16 s after its first.
        assertThat(turns.reserve(1, T0)).isEqualTo(T0.plusNanos(62_500_000L * 5));
        // 10,000 jobs at once: the last waits 10,000 / 16 s, about ten minutes, in a requeue.
        Instant last = T0;
        for (int i = 0; i < 10_000; i++) {
            last = turns.reserve(1, T0);
        }
        assertThat(Duration.between(T0, last)).isBetween(Duration.ofSeconds(624), Duration.ofSeconds(626));
    }

    @Test
    void aTurnIsNeverInThePast() {
        LaunchTurns turns = new LaunchTurns(16);
        turns.reserve(1, T0);
        Instant later = T0.plusSeconds(60);
        assertThat(turns.reserve(1, later)).isEqualTo(later);
    }

    @Test
    void aRateOfZeroIsRefused() {
        assertThatThrownBy(() -> new LaunchTurns(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
