package io.iiifaws.testing;

import io.iiifaws.demo.MotoServer;
import java.io.IOException;
import java.io.UncheckedIOException;

/** One moto_server for the whole test run; tests keep apart by using clusters of their own. */
public final class SharedMoto {
    private static MotoServer server;

    private SharedMoto() {}

    public static synchronized MotoServer get() {
        if (server == null) {
            try {
                server = MotoServer.start();
                server.motoApi("config", "{\"lambda\": {\"use_docker\": false}}");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            MotoServer started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "moto-shutdown"));
        }
        return server;
    }
}
