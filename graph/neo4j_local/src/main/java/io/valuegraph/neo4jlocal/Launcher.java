package io.valuegraph.neo4jlocal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Runs an embedded Neo4j Community DBMS with only the Bolt connector, bound to loopback.
 *
 * <p>Arguments are {@code key=value}: {@code home} (data folder), {@code port} (Bolt port),
 * {@code pagecache} and {@code txmax} (e.g. {@code 512m}). Prints {@code VALUEGRAPH-NEO4J-READY
 * bolt://127.0.0.1:PORT} on stdout once Bolt accepts connections, so the Python side can wait
 * for that line instead of polling blindly. SIGTERM shuts the DBMS down cleanly.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                System.err.println("expected key=value, got: " + arg);
                System.exit(2);
            }
            opts.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Path home = Path.of(opts.getOrDefault("home", "neo4j-data")).toAbsolutePath();
        int port = Integer.parseInt(opts.getOrDefault("port", "7687"));
        long pageCache = ByteUnit.parse(opts.getOrDefault("pagecache", "512m"));
        long txMax = ByteUnit.parse(opts.getOrDefault("txmax", "1g"));
        Files.createDirectories(home);

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
                .setConfig(GraphDatabaseSettings.memory_transaction_global_max_size, txMax)
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stopped.countDown();
        }, "valuegraph-neo4j-shutdown"));

        // Fail fast if the default database did not come up rather than advertising readiness.
        dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).executeTransactionally("RETURN 1");
        System.out.println("VALUEGRAPH-NEO4J-READY bolt://127.0.0.1:" + port);
        System.out.flush();
        stopped.await();
    }
}
