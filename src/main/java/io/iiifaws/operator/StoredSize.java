package io.iiifaws.operator;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Locale;

/** The API server's answers when an object is too large to store. */
final class StoredSize {
    private StoredSize() {}

    /**
     * etcd's "request is too large" (HTTP 500 from kube-apiserver), the API server's own
     * "Request entity too large: limit is 3145728" (413), and a too-long object (422).
     */
    static boolean isTooLarge(KubernetesClientException e) {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return e.getCode() == 413
                || message.contains("request is too large")
                || message.contains("request entity too large")
                || message.contains("too long: must have at most");
    }
}
