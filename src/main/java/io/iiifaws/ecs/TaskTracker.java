package io.iiifaws.ecs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One view of the ECS tasks that owners (jobs) follow: every followed task is described together
 * with the others of its region and cluster, 100 to a DescribeTasks call, on one schedule, and
 * what ECS said is kept until an owner reads it. Tasks followed for the first time are described
 * within {@code firstLook}, together. Word of a task may also come from elsewhere (ECS's task
 * state change events): {@link #take}; of two words, the one with the higher version counts.
 *
 * <p>An owner is told when its word on a task changed in a way that can move it: the task runs,
 * it stopped, ECS no longer knows it (once, then again on the next describe), or the describe of
 * its place failed when it had not before. Steps in between (PENDING, DEPROVISIONING) are kept,
 * and tell no one.
 *
 * @param <K> what names an owner
 */
public final class TaskTracker<K> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TaskTracker.class);

    /**
     * Where a task runs: DescribeTasks asks one region's one cluster, as the role that launched it
     * (null: the caller's own identity).
     */
    public record Place(String region, String cluster, io.iiifaws.aws.AwsClients.Role role) {
        public Place(String region, String cluster) {
            this(region, cluster, null);
        }
    }

    /**
     * The latest word on a task.
     *
     * @param missingInARow how many describes in a row, up to this one, ECS did not know the task
     */
    public record Seen(TaskObservation task, Instant at, int missingInARow) {}

    private record Tracked<O>(O owner, Place place, Seen seen) {}

    private final Function<Place, EcsTasks> ecs;
    private final Duration interval;
    private final Duration firstLook;
    private final Clock clock;
    private final Consumer<K> onChange;
    private final Map<String, Tracked<K>> tasks = new ConcurrentHashMap<>();
    private final Map<K, Set<String>> owned = new ConcurrentHashMap<>();
    private final Map<Place, RuntimeException> failures = new ConcurrentHashMap<>();
    private final AtomicBoolean lookSoon = new AtomicBoolean();
    private final LongAdder describeCalls = new LongAdder();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "ecs-task-tracker");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param ecs ECS of a place: its region, as its role
     * @param interval between two describes of every followed task
     * @param firstLook the longest a newly followed task waits for its first describe
     * @param onChange told, on the tracker's thread, when an owner's word on a task changed
     */
    public TaskTracker(
            Function<Place, EcsTasks> ecs, Duration interval, Duration firstLook, Clock clock, Consumer<K> onChange) {
        this.ecs = ecs;
        this.interval = interval;
        this.firstLook = firstLook.compareTo(interval) < 0 ? firstLook : interval;
        this.clock = clock;
        this.onChange = onChange;
        long period = Math.max(1, interval.toMillis());
        timer.scheduleWithFixedDelay(() -> lookAt(t -> true), period, period, TimeUnit.MILLISECONDS);
    }

    /** Follows exactly these tasks (ARN and place) for the owner: those it no longer names are dropped. */
    public void follow(K owner, Map<String, Place> arns) {
        if (arns.isEmpty()) {
            forget(owner);
            return;
        }
        Set<String> before = owned.put(owner, Set.copyOf(arns.keySet()));
        if (before != null) {
            before.stream().filter(arn -> !arns.containsKey(arn)).forEach(arn -> drop(owner, arn));
        }
        boolean unseen = false;
        for (var task : arns.entrySet()) {
            Tracked<K> tracked = tasks.compute(
                    task.getKey(),
                    (arn, known) -> known != null && known.owner().equals(owner)
                            ? known
                            : new Tracked<>(owner, task.getValue(), known == null ? null : known.seen()));
            unseen |= tracked.seen() == null;
        }
        if (unseen && lookSoon.compareAndSet(false, true)) {
            timer.schedule(
                    () -> {
                        lookSoon.set(false);
                        lookAt(t -> t.seen() == null);
                    },
                    firstLook.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Stops following the owner's tasks. */
    public void forget(K owner) {
        Set<String> before = owned.remove(owner);
        if (before != null) {
            before.forEach(arn -> drop(owner, arn));
        }
    }

    /** Stops following every task, as when the operator no longer reconciles. */
    public void forgetAll() {
        owned.clear();
        tasks.clear();
        failures.clear();
    }

    private void drop(K owner, String arn) {
        tasks.computeIfPresent(arn, (a, known) -> known.owner().equals(owner) ? null : known);
    }

    /** The latest word on a followed task; empty before its first describe. */
    public Optional<Seen> seen(String taskArn) {
        return Optional.ofNullable(tasks.get(taskArn)).map(Tracked::seen);
    }

    /** The error of the last describe of the place, when it failed; the next one that works clears it. */
    public Optional<RuntimeException> failure(Place place) {
        return Optional.ofNullable(failures.get(place));
    }

    /** Takes in word of a followed task from elsewhere, unless what is known is newer. */
    public void take(TaskObservation word) {
        record(word).ifPresent(onChange);
    }

    /** The DescribeTasks calls made so far. */
    public long describeCalls() {
        return describeCalls.sum();
    }

    /** The tasks followed now. */
    public int followed() {
        return tasks.size();
    }

    /** Describes, place by place, the followed tasks that match. */
    private void lookAt(Predicate<Tracked<K>> which) {
        Map<Place, List<String>> byPlace = new LinkedHashMap<>();
        tasks.forEach((arn, tracked) -> {
            if (which.test(tracked)) {
                byPlace.computeIfAbsent(tracked.place(), p -> new ArrayList<>()).add(arn);
            }
        });
        Set<K> told = new HashSet<>();
        for (var place : byPlace.entrySet()) {
            try {
                Map<String, TaskObservation> words = describe(place.getKey(), place.getValue());
                failures.remove(place.getKey());
                words.values().forEach(word -> record(word).filter(told::add).ifPresent(this::tell));
            } catch (RuntimeException e) {
                if (timer.isShutdown()) {
                    return;
                }
                if (failures.put(place.getKey(), e) == null) {
                    log.warn(
                            "event=DescribeTasksFailed region={} cluster={} error=\"{}\"",
                            place.getKey().region(),
                            place.getKey().cluster(),
                            io.iiifaws.aws.AwsErrors.describe(e));
                    place.getValue().stream()
                            .map(tasks::get)
                            .filter(Objects::nonNull)
                            .map(Tracked::owner)
                            .filter(told::add)
                            .forEach(this::tell);
                }
            }
        }
    }

    private Map<String, TaskObservation> describe(Place place, List<String> arns) {
        int calls = (arns.size() + EcsTasks.DESCRIBE_LIMIT - 1) / EcsTasks.DESCRIBE_LIMIT;
        describeCalls.add(calls);
        return ecs.apply(place).describe(place.cluster(), arns);
    }

    private void tell(K owner) {
        try {
            onChange.accept(owner);
        } catch (RuntimeException e) {
            log.warn("event=TaskChangeUnsent error=\"{}\"", e.getMessage());
        }
    }

    /** Keeps the word on a followed task; returns its owner when the change may move it. */
    private Optional<K> record(TaskObservation word) {
        Instant now = clock.instant();
        List<K> moved = new ArrayList<>(1);
        tasks.computeIfPresent(word.taskArn(), (arn, known) -> {
            Seen before = known.seen();
            Seen next;
            if (word.missing()) {
                int inARow = before != null && before.task().missing() ? before.missingInARow() + 1 : 1;
                next = new Seen(word, now, inARow);
            } else if (before != null
                    && !before.task().missing()
                    && word.version() < before.task().version()) {
                return known;
            } else {
                next = new Seen(word, now, 0);
            }
            if (matters(before, next)) {
                moved.add(known.owner());
            }
            return new Tracked<>(known.owner(), known.place(), next);
        });
        return moved.stream().findFirst();
    }

    /** Whether the new word can move the task's owner: it runs, stopped, or is missing once more. */
    private static boolean matters(Seen before, Seen next) {
        if (next.task().missing()) {
            return next.missingInARow() <= 2;
        }
        String was =
                before == null || before.task().missing() ? null : before.task().lastStatus();
        String is = next.task().lastStatus();
        boolean runs = "RUNNING".equals(is) && !"RUNNING".equals(was);
        boolean stopped = next.task().isStopped() && !TaskObservation.STOPPED.equals(was);
        return runs || stopped || (before != null && before.task().missing());
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
