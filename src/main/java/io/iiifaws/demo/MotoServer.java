package io.iiifaws.demo;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * moto_server, a local emulator of the AWS APIs, run as a child process on a free loopback port.
 * It answers the real AWS SDK, so the code under it is the code that runs against AWS.
 */
public final class MotoServer implements AutoCloseable {
    public static final String INSTALL_HINT = "install it with: python3 -m pip install 'moto[server]==5.2.1'";
    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final Process process;
    private final URI endpoint;
    private final Path log;
    private final HttpClient http = HttpClient.newHttpClient();

    private MotoServer(Process process, URI endpoint, Path log) {
        this.process = process;
        this.endpoint = endpoint;
        this.log = log;
    }

    /** Thrown when moto_server is not installed. */
    public static final class NotInstalledException extends IOException {
        NotInstalledException() {
            super("moto_server (the AWS emulator) is not on the PATH; " + INSTALL_HINT);
        }
    }

    /** Finds moto_server ($MOTO_SERVER, else the PATH), starts it and waits until it answers. */
    public static MotoServer start() throws IOException {
        Path executable = locate().orElseThrow(NotInstalledException::new);
        int port = freePort();
        Path log = Files.createTempFile("moto-server-", ".log");
        Process process = new ProcessBuilder(executable.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        MotoServer server = new MotoServer(process, URI.create("http://127.0.0.1:" + port), log);
        server.awaitReady();
        return server;
    }

    public URI endpoint() {
        return endpoint;
    }

    /** POSTs to one of moto's own /moto-api endpoints. */
    public void motoApi(String path, String json) throws IOException {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(endpoint.resolve("/moto-api/" + path))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(json))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IOException("moto_server answered " + response.statusCode() + " to /moto-api/" + path + ": "
                        + response.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private void awaitReady() throws IOException {
        Instant deadline = Instant.now().plus(STARTUP);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException("moto_server exited with " + process.exitValue() + ": "
                        + Files.readString(log).strip());
            }
            try {
                HttpResponse<Void> response = http.send(
                        HttpRequest.newBuilder(endpoint.resolve("/moto-api/"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IOException("interrupted while moto_server started", e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IOException("interrupted while moto_server started", e);
            }
        }
        close();
        throw new IOException("moto_server did not answer within " + STARTUP.toSeconds() + " s; its log: " + log);
    }

    static Optional<Path> locate() {
        String configured = System.getenv("MOTO_SERVER");
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        return onPath("moto_server");
    }

    /** The executable of this name in a directory of the PATH, if any. */
    public static Optional<Path> onPath(String name) {
        String pathVariable = System.getenv().getOrDefault("PATH", "");
        for (String dir : pathVariable.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a temporary file
        }
    }
}
