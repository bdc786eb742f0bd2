package io.iiifaws.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback that can make the network go silent, as a broken link does: once cut,
 * every connection open through it stays open but carries nothing, ever (a half-open socket: the
 * far side is gone and no FIN or RST comes back), and new connections are accepted and answered
 * with silence until the link is restored.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final URI upstream;
    private final List<Socket[]> pairs = new CopyOnWriteArrayList<>();
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private volatile boolean cut;

    public TcpProxy(URI upstream) throws IOException {
        this.upstream = upstream;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "tcp-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The proxy's address, with the upstream's scheme and path. */
    public URI uri() {
        return URI.create(upstream.getScheme() + "://127.0.0.1:" + server.getLocalPort() + "/");
    }

    /** The link goes silent: open connections lose their far side without knowing, new ones hang. */
    public void cut() {
        cut = true;
        List<Socket[]> open = List.copyOf(pairs);
        pairs.clear();
        for (Socket[] pair : open) {
            close(pair[1]);
        }
    }

    /** New connections reach the upstream again; the connections that went silent stay so. */
    public void restore() {
        cut = false;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (cut) {
                    held.add(client);
                    continue;
                }
                Socket far = new Socket();
                far.connect(new InetSocketAddress(upstream.getHost(), upstream.getPort()));
                Socket[] pair = {client, far};
                pairs.add(pair);
                pump(client, far, pair);
                pump(far, client, pair);
            } catch (IOException e) {
                // closed, or the upstream refused: the client sees its connection close
            }
        }
    }

    private void pump(Socket from, Socket to, Socket[] pair) {
        Thread thread = new Thread(
                () -> {
                    byte[] buffer = new byte[16 * 1024];
                    try {
                        // Not closed here: closing a socket's stream closes the socket, and a cut must not.
                        InputStream in = from.getInputStream();
                        OutputStream out = to.getOutputStream();
                        for (int n; (n = in.read(buffer)) >= 0; ) {
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException e) {
                        // one side went away
                    }
                    // The upstream closing a connection is passed on; a cut leaves the client's side open.
                    if (pairs.contains(pair)) {
                        close(pair[0]);
                        close(pair[1]);
                        pairs.remove(pair);
                    }
                },
                "tcp-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
        pairs.forEach(p -> {
            close(p[0]);
            close(p[1]);
        });
        held.forEach(TcpProxy::close);
    }
}
