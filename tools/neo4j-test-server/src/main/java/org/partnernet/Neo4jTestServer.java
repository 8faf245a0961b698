package org.partnernet;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.Config;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Transaction;
import org.neo4j.io.fs.DefaultFileSystemAbstraction;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.impl.security.User;
import org.neo4j.logging.Level;
import org.neo4j.logging.NullLogProvider;
import org.neo4j.logging.log4j.Log4jLogProvider;
import org.neo4j.memory.EmptyMemoryTracker;
import org.neo4j.server.security.SecureHasher;
import org.neo4j.server.security.SystemGraphCredential;
import org.neo4j.server.security.auth.CommunitySecurityModule;
import org.neo4j.server.security.auth.FileUserRepository;
import org.neo4j.string.UTF8;

/**
 * Runs a real Neo4j 5.26 LTS Community DBMS in-process, reachable over Bolt only, for
 * partnernet's tests and local development.
 *
 * <p>Options (CLI flag wins over environment variable, which wins over the default):
 * <pre>
 *   --port N            NEO4J_TEST_PORT            Bolt port on 127.0.0.1 (default 7687)
 *   --data-dir DIR      NEO4J_TEST_DATA_DIR        store directory (default: ../data next to target/)
 *   --logs-dir DIR      NEO4J_TEST_LOGS_DIR        Neo4j's own logs (default: DIR/logs of data dir)
 *   --plugins-dir DIR   NEO4J_TEST_PLUGINS_DIR     optional procedure/plugin jars (e.g. APOC core)
 *   --tx-timeout SECS   NEO4J_TEST_TX_TIMEOUT      db.transaction.timeout (default 120)
 *   --pagecache SIZE    NEO4J_TEST_PAGECACHE       server.memory.pagecache.size (default 256m)
 *                       NEO4J_TEST_PASSWORD        password of user neo4j (default partnernet-dev;
 *                                                  env only, so it never shows up in ps)
 * </pre>
 *
 * <p>Prints exactly one line {@code NEO4J READY bolt://127.0.0.1:<port>} to stdout once
 * Bolt accepts connections and the password is in force; everything else goes to stderr.
 * A JVM shutdown hook (SIGTERM / SIGINT) shuts the DBMS down cleanly.
 */
public final class Neo4jTestServer {

    static final String DEFAULT_PASSWORD = "partnernet-dev";
    static final int DEFAULT_PORT = 7687;
    static final int MIN_PASSWORD_LENGTH = 8;

    private Neo4jTestServer() {}

    public static void main(String[] args) throws Exception {
        // Keep stdout for the single READY line; anything Neo4j or a library prints goes to stderr.
        PrintStream ready = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        PrintStream err = System.err;

        Map<String, String> env = System.getenv();
        Options o;
        try {
            o = Options.parse(args, env);
        } catch (IllegalArgumentException e) {
            err.println("neo4j-test-server: " + e.getMessage());
            err.println("usage: java -jar neo4j-test-server.jar [--port N] [--data-dir DIR] [--logs-dir DIR]"
                    + " [--plugins-dir DIR] [--tx-timeout SECS] [--pagecache SIZE]   (password: env NEO4J_TEST_PASSWORD)");
            System.exit(2);
            return;
        }

        Files.createDirectories(o.dataDir);
        Files.createDirectories(o.logsDir);
        err.printf("neo4j-test-server: starting Neo4j %s, bolt 127.0.0.1:%d, data %s, logs %s%n",
                neo4jVersion(), o.port, o.dataDir, o.logsDir);

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(o.dataDir)
                .setUserLogProvider(new Log4jLogProvider(err, Level.INFO))
                // --- directories
                .setConfig(GraphDatabaseSettings.data_directory, o.dataDir)
                .setConfig(GraphDatabaseSettings.logs_directory, o.logsDir)
                .setConfig(GraphDatabaseSettings.transaction_logs_root_path, o.dataDir.resolve("transactions"))
                // --- network: Bolt on loopback only, no HTTP(S)
                .setConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress("127.0.0.1"))
                .setConfig(GraphDatabaseSettings.default_advertised_address, new SocketAddress("127.0.0.1"))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", o.port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", o.port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                // stop Bolt in ~1 s instead of 2 x 5 s on shutdown (internal settings)
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
                // --- security
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                // --- no usage-data pings (no internet here anyway)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // --- memory and timeouts
                .setConfig(GraphDatabaseSettings.pagecache_memory, o.pagecacheBytes)
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofSeconds(o.txTimeoutSeconds))
                .setConfig(GraphDatabaseSettings.lock_acquisition_timeout, Duration.ofSeconds(60))
                .setConfig(GraphDatabaseSettings.shutdown_transaction_end_timeout, Duration.ofSeconds(10))
                // --- keep the store small: no 256 MiB preallocated transaction logs
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(32))
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "2 files");
        if (o.pluginsDir != null) {
            builder.setConfig(GraphDatabaseSettings.plugin_dir, o.pluginsDir)
                    .setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("apoc.*"));
        }

        seedInitialPassword(o.dataDir, o.password, err);

        final CountDownLatch stopped = new CountDownLatch(1);
        final DatabaseManagementService dbms;
        try {
            dbms = builder.build();
        } catch (RuntimeException e) {
            err.println("neo4j-test-server: failed to start Neo4j: " + e);
            e.printStackTrace(err);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            err.println("neo4j-test-server: shutting down");
            try {
                dbms.shutdown();
                err.println("neo4j-test-server: stopped");
            } catch (Throwable t) {
                err.println("neo4j-test-server: error during shutdown: " + t);
            } finally {
                stopped.countDown();
            }
        }, "neo4j-test-server-shutdown"));

        try {
            GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
            GraphDatabaseService neo4j = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
            if (!system.isAvailable(120_000) || !neo4j.isAvailable(120_000)) {
                throw new IllegalStateException("databases did not become available within 120 s");
            }
            err.printf("neo4j-test-server: databases available after %d ms (JVM uptime)%n", uptimeMs());
            ensurePassword(system, o.password, err);
            waitForBolt(o.port, Duration.ofSeconds(30));
        } catch (Throwable t) {
            err.println("neo4j-test-server: startup failed: " + t);
            t.printStackTrace(err);
            System.exit(1); // runs the shutdown hook
            return;
        }

        err.printf("neo4j-test-server: ready after %d ms (JVM uptime)%n", uptimeMs());
        ready.println("NEO4J READY bolt://127.0.0.1:" + o.port);
        ready.flush();
        stopped.await();
    }

    /**
     * Fresh store only: write {@code <data>/dbms/auth.ini} the way {@code neo4j-admin dbms
     * set-initial-password} does. The security component imports it when it creates the system
     * database, so user neo4j never has the default {@code neo4j} password, not even briefly.
     */
    static boolean seedInitialPassword(Path dataDir, String password, PrintStream err) {
        if (Files.exists(dataDir.resolve("databases").resolve(GraphDatabaseSettings.SYSTEM_DATABASE_NAME))) {
            return false; // existing store: the system graph holds the users; see ensurePassword
        }
        Config config = Config.newBuilder().set(GraphDatabaseSettings.data_directory, dataDir).build();
        Path authIni = CommunitySecurityModule.getInitialUserRepositoryFile(config);
        try (DefaultFileSystemAbstraction fs = new DefaultFileSystemAbstraction()) {
            Files.createDirectories(authIni.getParent());
            Files.deleteIfExists(authIni);
            FileUserRepository repo = new FileUserRepository(
                    fs, authIni, NullLogProvider.getInstance(), EmptyMemoryTracker.INSTANCE);
            repo.start();
            repo.create(new User("neo4j", null,
                    SystemGraphCredential.createCredentialForPassword(UTF8.encode(password), new SecureHasher()),
                    false, false));
            repo.shutdown();
            err.println("neo4j-test-server: new store: initial password for user neo4j seeded (" + authIni + ")");
            return true;
        } catch (Exception e) {
            err.println("neo4j-test-server: could not seed auth.ini (" + e + "); will set the password with ALTER USER");
            return false;
        }
    }

    /**
     * Makes sure user neo4j has exactly the configured password and no pending password change.
     * Reads the system graph directly (cheap, no Cypher); only if it differs (store created with
     * another password, or the default neo4j/neo4j) it runs ALTER USER on the system database.
     * Embedded transactions have full privileges, so that works without logging in.
     */
    static void ensurePassword(GraphDatabaseService system, String password, PrintStream err) {
        String state;
        try (Transaction tx = system.beginTx()) {
            Node user = tx.findNode(Label.label("User"), "name", "neo4j");
            if (user == null) {
                state = "user neo4j missing";
            } else {
                boolean changeRequired = Boolean.TRUE.equals(user.getProperty("passwordChangeRequired", Boolean.FALSE));
                Object credentials = user.getProperty("credentials", null);
                boolean matches = credentials instanceof String c
                        && SystemGraphCredential.deserialize(c, new SecureHasher()).matchesPassword(UTF8.encode(password));
                state = matches && !changeRequired ? null
                        : (matches ? "password change pending" : "different password stored");
            }
        } catch (Exception e) {
            state = "could not read system graph: " + e;
        }
        if (state == null) {
            err.println("neo4j-test-server: password for user neo4j already in force");
            return;
        }
        err.println("neo4j-test-server: " + state + "; running ALTER USER neo4j");
        if (state.equals("user neo4j missing")) {
            system.executeTransactionally(
                    "CREATE USER neo4j SET PLAINTEXT PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        } else if (state.equals("password change pending")) {
            system.executeTransactionally("ALTER USER neo4j SET PASSWORD CHANGE NOT REQUIRED");
        } else {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PLAINTEXT PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        }
        err.println("neo4j-test-server: password for user neo4j set");
    }

    static void waitForBolt(int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("Bolt port " + port + " not accepting connections", last);
    }

    static long uptimeMs() {
        return java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
    }

    static String neo4jVersion() {
        Package p = DatabaseManagementService.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        if (v == null) {
            v = Neo4jTestServer.class.getPackage().getImplementationVersion();
        }
        return v == null ? "5.26.x" : v;
    }

    static final class Options {
        int port = DEFAULT_PORT;
        Path dataDir;
        Path logsDir;
        Path pluginsDir;
        long txTimeoutSeconds = 120;
        long pagecacheBytes = ByteUnit.mebiBytes(256);
        String password = DEFAULT_PASSWORD;

        static Options parse(String[] args, Map<String, String> env) {
            Options o = new Options();
            String port = env.get("NEO4J_TEST_PORT");
            String data = env.get("NEO4J_TEST_DATA_DIR");
            String logs = env.get("NEO4J_TEST_LOGS_DIR");
            String plugins = env.get("NEO4J_TEST_PLUGINS_DIR");
            String tx = env.get("NEO4J_TEST_TX_TIMEOUT");
            String pc = env.get("NEO4J_TEST_PAGECACHE");
            String pw = env.get("NEO4J_TEST_PASSWORD");
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String key = a;
                String val = null;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 0) {
                    key = a.substring(0, eq);
                    val = a.substring(eq + 1);
                }
                if (key.equals("-h") || key.equals("--help")) {
                    throw new IllegalArgumentException("help requested");
                }
                if (!key.startsWith("--")) {
                    throw new IllegalArgumentException("unexpected argument: " + a);
                }
                if (val == null) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("missing value for " + key);
                    }
                    val = args[++i];
                }
                switch (key) {
                    case "--port" -> port = val;
                    case "--data-dir" -> data = val;
                    case "--logs-dir" -> logs = val;
                    case "--plugins-dir" -> plugins = val;
                    case "--tx-timeout" -> tx = val;
                    case "--pagecache" -> pc = val;
                    default -> throw new IllegalArgumentException("unknown option: " + key);
                }
            }
            if (notBlank(port)) {
                try {
                    o.port = Integer.parseInt(port.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad port: " + port);
                }
                if (o.port < 1 || o.port > 65535) {
                    throw new IllegalArgumentException("bad port: " + port);
                }
            }
            o.dataDir = (notBlank(data) ? Paths.get(data) : defaultDataDir()).toAbsolutePath().normalize();
            o.logsDir = (notBlank(logs) ? Paths.get(logs) : o.dataDir.resolve("logs")).toAbsolutePath().normalize();
            o.pluginsDir = notBlank(plugins) ? Paths.get(plugins).toAbsolutePath().normalize() : null;
            if (notBlank(tx)) {
                try {
                    o.txTimeoutSeconds = Long.parseLong(tx.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad tx timeout (seconds): " + tx);
                }
            }
            if (notBlank(pc)) {
                o.pagecacheBytes = parseSize(pc.trim());
            }
            if (pw != null && !pw.isEmpty()) {
                o.password = pw;
            }
            if (o.password.codePointCount(0, o.password.length()) < MIN_PASSWORD_LENGTH) {
                throw new IllegalArgumentException(
                        "NEO4J_TEST_PASSWORD must be at least " + MIN_PASSWORD_LENGTH + " characters");
            }
            return o;
        }

        static long parseSize(String s) {
            String t = s.toLowerCase();
            long mult = 1;
            char last = t.charAt(t.length() - 1);
            if (last == 'k' || last == 'm' || last == 'g') {
                mult = last == 'k' ? 1024L : last == 'm' ? 1024L * 1024 : 1024L * 1024 * 1024;
                t = t.substring(0, t.length() - 1);
            }
            try {
                return Long.parseLong(t) * mult;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad size: " + s + " (use e.g. 256m)");
            }
        }

        /** tools/neo4j-test-server/data, derived from the jar in tools/neo4j-test-server/target/. */
        static Path defaultDataDir() {
            try {
                Path code = Paths.get(Neo4jTestServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                // .../tools/neo4j-test-server/target/neo4j-test-server.jar or .../target/classes
                Path target = code.getParent();
                if (target != null && target.getParent() != null) {
                    return target.getParent().resolve("data");
                }
            } catch (Exception ignored) {
                // fall through
            }
            return Paths.get("data");
        }

        private static boolean notBlank(String s) {
            return s != null && !s.isBlank();
        }
    }
}
