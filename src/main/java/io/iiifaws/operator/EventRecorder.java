package io.iiifaws.operator;

import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.iiifaws.api.IiifJob;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kubernetes Events (events.k8s.io/v1) on jobs, and logs each as one line naming the job
 * and, for task events, the task. A failure to record is only logged.
 */
public final class EventRecorder {
    public static final String CONTROLLER = "iiif-aws.io/operator";
    /** Kubernetes' limit on an event note, in bytes. */
    static final int NOTE_LIMIT = 1024;

    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
    private static final DateTimeFormatter MICRO =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX").withZone(ZoneOffset.UTC);

    private final KubernetesClient client;
    private final String instance;
    private final Clock clock;
    private final Runnable forbidden;

    /** @param forbidden told when the API server refused an event for want of permission */
    public EventRecorder(KubernetesClient client, String instance, Clock clock, Runnable forbidden) {
        this.client = client;
        this.instance = instance;
        this.clock = clock;
        this.forbidden = forbidden;
    }

    /**
     * An Event's name: the job's name, cut to leave room, then '.' and a unique suffix. A DNS
     * subdomain name may not have a label that ends in '-' or an empty one, so a cut that ends in
     * either loses them.
     */
    static String eventName(String jobName, String suffix) {
        String prefix = jobName.length() > 240 ? jobName.substring(0, 240) : jobName;
        return prefix.replaceFirst("[-.]+$", "") + "." + suffix;
    }

    public void record(IiifJob job, List<JobEvent> events) {
        for (JobEvent event : events) {
            String note = Texts.truncateUtf8(event.message(), NOTE_LIMIT);
            if (event.taskArn() != null) {
                log.info(
                        "job={} task={} event={} type={} message=\"{}\"",
                        job.namespacedName(),
                        event.taskArn(),
                        event.reason(),
                        event.warning() ? "Warning" : "Normal",
                        note);
            } else {
                log.info(
                        "job={} event={} type={} message=\"{}\"",
                        job.namespacedName(),
                        event.reason(),
                        event.warning() ? "Warning" : "Normal",
                        note);
            }
            var k8sEvent = new EventBuilder()
                    .withNewMetadata()
                    .withName(eventName(
                            job.getMetadata().getName(),
                            UUID.randomUUID().toString().substring(0, 13).replace("-", "")))
                    .withNamespace(job.getMetadata().getNamespace())
                    .endMetadata()
                    .withRegarding(new ObjectReferenceBuilder()
                            .withApiVersion(job.getApiVersion())
                            .withKind(job.getKind())
                            .withName(job.getMetadata().getName())
                            .withNamespace(job.getMetadata().getNamespace())
                            .withUid(job.getMetadata().getUid())
                            .withResourceVersion(job.getMetadata().getResourceVersion())
                            .build())
                    .withType(event.warning() ? "Warning" : "Normal")
                    .withReason(event.reason())
                    .withAction(event.reason())
                    .withNote(note)
                    .withReportingController(CONTROLLER)
                    .withReportingInstance(instance)
                    .withEventTime(new MicroTime(MICRO.format(clock.instant())))
                    .build();
            try {
                client.events()
                        .v1()
                        .events()
                        .inNamespace(job.getMetadata().getNamespace())
                        .resource(k8sEvent)
                        .create();
            } catch (KubernetesClientException e) {
                log.warn(
                        "job={} event=EventNotRecorded reason={} error=\"{}\"",
                        job.namespacedName(),
                        event.reason(),
                        e.getMessage());
                if (e.getCode() == 403) {
                    forbidden.run();
                }
            }
        }
    }
}
