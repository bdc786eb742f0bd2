package io.iiifaws.testing;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** Records every request a Kubernetes client makes and the code it got back; installed as an interceptor. */
public final class ApiCalls implements Interceptor {
    /** One request: its method, path and query, and the HTTP status of the answer. */
    public record Call(String method, String path, String query, int code) {
        @Override
        public String toString() {
            return method + " " + path + (query == null ? "" : "?" + query) + " -> " + code;
        }
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();

    @Override
    public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        calls.add(new Call(
                request.method(), request.uri().getRawPath(), request.uri().getRawQuery(), response.code()));
    }

    public List<Call> all() {
        return List.copyOf(calls);
    }

    public List<Call> matching(Predicate<Call> condition) {
        return calls.stream().filter(condition).toList();
    }

    /** The requests the API server refused for want of permission. */
    public List<Call> forbidden() {
        return matching(c -> c.code() == 403);
    }
}
