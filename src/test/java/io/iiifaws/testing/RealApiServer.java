package io.iiifaws.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.iiifaws.api.IiifJob;
import io.iiifaws.demo.KubernetesEmulator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * A real Kubernetes API server for the tests: etcd and kube-apiserver 1.37 as built by
 * {@code .ci/kube-tools}, started once per test run on loopback with RBAC on, a static admin
 * token, service-account signing keys (so TokenRequest gives tokens the server accepts) and the
 * certificates it makes itself. It has no controller manager: no namespace deletion, no default
 * service accounts, no garbage collection; tests use namespaces of their own.
 */
public final class RealApiServer {
    private static RealApiServer instance;

    private final Path dir;
    private final Process etcd;
    private final Process apiServer;
    private final String adminToken = UUID.randomUUID().toString();
    private final Config adminConfig;
    private final Path bin;
    private final Path kubeconfig;
    private final KubernetesClient admin;

    /** The server of this test run, started on first use; the IiifJob CRD is installed. */
    public static synchronized RealApiServer get() {
        if (instance == null) {
            try {
                instance = new RealApiServer(binaries());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            RealApiServer started = instance;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "kube-apiserver-shutdown"));
        }
        return instance;
    }

    /** Where .ci/kube-tools puts the binaries; it says so itself, without building. */
    static Path binaries() throws IOException, InterruptedException {
        String configured = System.getenv("IIIF_AWS_KUBE_BIN");
        Path dir;
        if (configured != null && !configured.isBlank()) {
            dir = Path.of(configured);
        } else {
            Process script = new ProcessBuilder(".ci/kube-tools", "--print-dir")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            script.waitFor();
            dir = Path.of(out.lines().reduce((a, b) -> b).orElse(""));
        }
        for (String binary : List.of("etcd", "kube-apiserver", "kubectl")) {
            if (!Files.isExecutable(dir.resolve(binary))) {
                throw new IllegalStateException(
                        "no " + binary + " in " + dir + ": run .ci/kube-tools, which builds etcd,"
                                + " kube-apiserver and kubectl from the Go module proxy (about 13 minutes the first time)");
            }
        }
        return dir;
    }

    private RealApiServer(Path bin) throws IOException, InterruptedException {
        this.bin = bin;
        dir = Files.createTempDirectory("kube-apiserver-");
        KeyPair serviceAccounts;
        try {
            serviceAccounts = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Files.writeString(
                dir.resolve("sa.key"),
                pem("PRIVATE KEY", serviceAccounts.getPrivate().getEncoded()));
        Files.writeString(
                dir.resolve("sa.pub"),
                pem("PUBLIC KEY", serviceAccounts.getPublic().getEncoded()));
        Files.writeString(dir.resolve("tokens.csv"), adminToken + ",admin,admin-uid,\"system:masters\"\n");
        int etcdPort = freePort();
        int peerPort = freePort();
        int securePort = freePort();
        etcd = start(
                "etcd",
                bin.resolve("etcd").toString(),
                "--name=default",
                "--data-dir=" + dir.resolve("etcd"),
                "--listen-client-urls=http://127.0.0.1:" + etcdPort,
                "--advertise-client-urls=http://127.0.0.1:" + etcdPort,
                "--listen-peer-urls=http://127.0.0.1:" + peerPort,
                "--initial-advertise-peer-urls=http://127.0.0.1:" + peerPort,
                "--initial-cluster=default=http://127.0.0.1:" + peerPort,
                "--initial-cluster-state=new",
                "--unsafe-no-fsync",
                "--log-level=warn");
        apiServer = start(
                "kube-apiserver",
                bin.resolve("kube-apiserver").toString(),
                "--etcd-servers=http://127.0.0.1:" + etcdPort,
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                "--secure-port=" + securePort,
                "--cert-dir=" + dir.resolve("certs"),
                "--token-auth-file=" + dir.resolve("tokens.csv"),
                "--authorization-mode=Node,RBAC",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                "--service-account-key-file=" + dir.resolve("sa.pub"),
                "--service-account-signing-key-file=" + dir.resolve("sa.key"),
                "--service-cluster-ip-range=10.0.0.0/24",
                "--endpoint-reconciler-type=none");
        Path ca = dir.resolve("certs").resolve("apiserver.crt");
        String url = "https://127.0.0.1:" + securePort;
        awaitStarted(() -> Files.isReadable(ca));
        adminConfig = new ConfigBuilder(Config.empty())
                .withMasterUrl(url)
                .withCaCertFile(ca.toString())
                .withOauthToken(adminToken)
                .withNamespace("default")
                .build();
        admin = new KubernetesClientBuilder().withConfig(adminConfig).build();
        awaitStarted(this::ready);
        kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, kubeconfig(url, ca, "admin", adminToken));
        for (var crd : KubernetesEmulator.crds(admin)) {
            admin.resource(crd).serverSideApply();
            awaitStarted(() -> established(crd.getMetadata().getName()));
        }
    }

    private boolean ready() {
        try {
            return "ok".equals(admin.raw("/readyz"));
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    private boolean established(String crdName) {
        var crd = admin.apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName(crdName)
                .get();
        return crd != null
                && crd.getStatus() != null
                && crd.getStatus().getConditions().stream()
                        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** Waits for a step of the start, failing at once with the log if etcd or kube-apiserver exits. */
    private void awaitStarted(Callable<Boolean> step) {
        Awaitility.await("kube-apiserver to start")
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!etcd.isAlive() || !apiServer.isAlive()) {
                        throw new IOException("the API server did not start; its log ends: "
                                + Files.readString(dir.resolve("kube-apiserver.log"))
                                        .lines()
                                        .reduce((a, b) -> b)
                                        .orElse("")
                                + "; etcd's log: " + dir.resolve("etcd.log"));
                    }
                    return step.call();
                });
    }

    private Process start(String name, String... command) throws IOException {
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
    }

    /**
     * What the API server says of a manifest it is asked to create (a server-side dry run): each
     * cause as "field: message", or nothing when it would be admitted.
     */
    public List<String> admissionProblems(String namespace, String yaml) {
        var resource = admin.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
        try {
            admin.genericKubernetesResources(resource.getApiVersion(), resource.getKind())
                    .inNamespace(namespace)
                    .resource(resource)
                    .dryRun()
                    .create();
            return List.of();
        } catch (KubernetesClientException e) {
            return causes(e);
        }
    }

    /** The causes the API server gave for refusing a request, as "field: message". */
    public static List<String> causes(KubernetesClientException e) {
        if (e.getStatus() == null
                || e.getStatus().getDetails() == null
                || e.getStatus().getDetails().getCauses().isEmpty()) {
            return List.of(String.valueOf(
                    e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage()));
        }
        return e.getStatus().getDetails().getCauses().stream()
                .map(c -> c.getField() + ": " + c.getMessage())
                .filter(c -> !c.startsWith("<nil>: Invalid value: null: some validation rules were not checked"))
                .toList();
    }

    /** A client of the cluster admin (system:masters). */
    /** A kubeconfig of the cluster admin, for programs run as separate processes. */
    public Path kubeconfig() {
        return kubeconfig;
    }

    public KubernetesClient admin() {
        return admin;
    }

    /** A new client of the cluster admin, as another process would have. */
    public KubernetesClient newAdminClient() {
        return new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(adminConfig).build())
                .build();
    }

    /** A client that authenticates with this token (a service account's, say), through these interceptors. */
    public KubernetesClient clientWithToken(String token, String namespace, Interceptor... interceptors) {
        return new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(adminConfig)
                        .withOauthToken(token)
                        .withNamespace(namespace)
                        .build())
                .withHttpClientBuilderConsumer(b -> {
                    for (int i = 0; i < interceptors.length; i++) {
                        b.addOrReplaceInterceptor("test-" + i, interceptors[i]);
                    }
                })
                .build();
    }

    /** A token of the service account, from the TokenRequest API, as a pod gets its token. */
    public String tokenFor(String namespace, String serviceAccount) {
        return admin.serviceAccounts()
                .inNamespace(namespace)
                .withName(serviceAccount)
                .tokenRequest(new TokenRequestBuilder()
                        .withNewSpec()
                        .withExpirationSeconds(3600L)
                        .endSpec()
                        .build())
                .getStatus()
                .getToken();
    }

    /** The objects of these manifests. */
    public List<HasMetadata> load(String yaml) {
        return admin.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
                .items();
    }

    /** Applies these objects (server-side, as the cluster admin): a chart's RBAC, say. */
    public void apply(List<? extends HasMetadata> items) {
        for (HasMetadata item : items) {
            admin.resource(item).forceConflicts().serverSideApply();
        }
    }

    /** Deletes a namespace's jobs, finalizers and all, so that no later operator takes them up. */
    public void deleteJobs(String namespace) {
        var jobs =
                admin.genericKubernetesResources(IiifJob.API_VERSION, "IiifJob").inNamespace(namespace);
        for (GenericKubernetesResource job : jobs.list().getItems()) {
            try {
                jobs.withName(job.getMetadata().getName()).edit(j -> {
                    j.getMetadata().setFinalizers(List.of());
                    return j;
                });
                jobs.withName(job.getMetadata().getName()).delete();
            } catch (KubernetesClientException gone) {
                // deleted meanwhile
            }
        }
    }

    /** A namespace of its own for a test: nothing deletes namespaces here. */
    public String newNamespace(String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        admin.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .build())
                .create();
        return name;
    }

    /** kubectl with the admin's kubeconfig; returns what it printed, stdout and stderr together, and its exit code. */
    public record Kubectl(int status, String output) {}

    public Kubectl kubectl(String... args) {
        return kubectlWithInput("", args);
    }

    /** kubectl with this on its standard input ({@code -f -}). */
    public Kubectl kubectlWithInput(String input, String... args) {
        List<String> command =
                new ArrayList<>(List.of(bin.resolve("kubectl").toString(), "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            try (var stdin = process.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not finish");
            }
            return new Kubectl(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void stop() {
        for (Process process : List.of(apiServer, etcd)) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }

    private static String kubeconfig(String url, Path ca, String user, String token) {
        return "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: " + url
                + "\n    certificate-authority: " + ca + "\nusers:\n- name: " + user + "\n  user:\n    token: " + token
                + "\ncontexts:\n- name: test\n  context:\n    cluster: test\n    user: " + user
                + "\ncurrent-context: test\n";
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
