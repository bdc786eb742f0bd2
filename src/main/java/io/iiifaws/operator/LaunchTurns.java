package io.iiifaws.operator;

import java.time.Duration;
import java.time.Instant;

/**
 * Turns to launch, handed out at the operator's RunTask rate. A job whose turn is later waits for
 * it in a requeue, not in a reconcile thread waiting for the rate: passes that only record what
 * happened (a task stopped) never queue behind thousands of jobs waiting to launch.
 */
final class LaunchTurns {
    /** A turn this close is taken now: the call's own pacing waits out the rest. */
    static final Duration NEAR = Duration.ofMillis(250);

    private final long nanosPerLaunch;
    private Instant next = Instant.EPOCH;

    LaunchTurns(double launchesPerSecond) {
        if (!(launchesPerSecond > 0)) {
            throw new IllegalArgumentException("launches per second must be above 0");
        }
        this.nanosPerLaunch = Math.max(1, Math.round(1e9 / launchesPerSecond));
    }

    /** Reserves turns for this many launches in a row; returns when the first is. */
    synchronized Instant reserve(int launches, Instant now) {
        Instant turn = now.isAfter(next) ? now : next;
        next = turn.plusNanos(nanosPerLaunch * Math.max(1, launches));
        return turn;
    }
}
