package io.iiifaws.testing;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Kills one operator incarnation at a chosen point, as a crash would: from that moment none of
 * its AWS or Kubernetes calls gets out. Installed as an interceptor in the incarnation's AWS and
 * Kubernetes clients.
 */
public final class Fence {
    /** Where between deciding to launch and the status write the operator dies. */
    public enum CrashPoint {
        BEFORE_RUN_TASK,
        AFTER_RUN_TASK,
        BEFORE_STATUS_PATCH,
        AFTER_STATUS_PATCH
    }

    private final AtomicReference<CrashPoint> armed;
    private final CountDownLatch dead = new CountDownLatch(1);

    public Fence(CrashPoint point) {
        armed = new AtomicReference<>(point);
    }

    public boolean isDead() {
        return dead.getCount() == 0;
    }

    public CountDownLatch death() {
        return dead;
    }

    private boolean trip(CrashPoint point) {
        if (armed.compareAndSet(point, null)) {
            dead.countDown();
            return true;
        }
        return false;
    }

    public ExecutionInterceptor aws() {
        return new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
                if (isDead() || "RunTask".equals(operation) && trip(CrashPoint.BEFORE_RUN_TASK)) {
                    throw SdkClientException.create("the operator is dead");
                }
            }

            /** Each attempt of a call passes here: a dead operator's in-call retries send nothing either. */
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                if (isDead()) {
                    throw SdkClientException.create("the operator is dead");
                }
            }

            @Override
            public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
                String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
                if ("RunTask".equals(operation) && trip(CrashPoint.AFTER_RUN_TASK) || isDead()) {
                    throw SdkClientException.create("the operator died before it read the answer");
                }
            }
        };
    }

    public Interceptor kubernetes() {
        return new Interceptor() {
            @Override
            public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
                if (isDead() || isStatusPatch(request) && trip(CrashPoint.BEFORE_STATUS_PATCH)) {
                    throw new IllegalStateException("the operator is dead");
                }
            }

            @Override
            public void after(
                    HttpRequest request,
                    HttpResponse<?> response,
                    io.fabric8.kubernetes.client.http.AsyncBody.Consumer<List<ByteBuffer>> consumer) {
                if (isStatusPatch(request) && response.code() / 100 == 2) {
                    trip(CrashPoint.AFTER_STATUS_PATCH);
                }
            }
        };
    }

    private static boolean isStatusPatch(HttpRequest request) {
        return "PATCH".equals(request.method()) && request.uri().getPath().endsWith("/status");
    }
}
