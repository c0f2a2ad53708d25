package io.ragline.devstack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker + controller) running inside this JVM, with
 * its data under a caller-supplied directory so that topics and records survive restarts.
 *
 * <p>Dev runtime only: one node, replication factor 1 everywhere, PLAINTEXT on loopback.
 *
 * <p>Caveat: Kafka treats some failures as fatal and then calls {@code System.exit}/{@code Runtime.halt}
 * (via its {@code ProcessTerminatingFaultHandler}), which ends this whole JVM. {@link #start} pre-checks
 * the two triggers we can foresee (controller port taken, data dir already in use); disk-full or a
 * corrupted metadata log still terminate the process.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private static final int NODE_ID = 1;
    private static final String HOST = "127.0.0.1";
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** Sub-directory of the data dir holding both the partition logs and the KRaft metadata log. */
    private static final String LOG_DIR_NAME = "kafka-logs";
    private static final String META_PROPERTIES = "meta.properties";
    private static final String LOCK_FILE_NAME = "embedded-kafka.lock";

    private final KafkaRaftServer server;
    private final FileChannel dataDirLock;
    private final String bootstrapServers;
    private final String clusterId;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(KafkaRaftServer server, FileChannel dataDirLock, String bootstrapServers, String clusterId) {
        this.server = server;
        this.dataDirLock = dataDirLock;
        this.bootstrapServers = bootstrapServers;
        this.clusterId = clusterId;
    }

    /**
     * Formats {@code dataDir} on first use (keeping it as is afterwards), starts the node and blocks until
     * the broker is unfenced, i.e. ready for clients.
     *
     * @param port           PLAINTEXT client port on 127.0.0.1 (also the advertised listener)
     * @param controllerPort KRaft controller port on 127.0.0.1
     * @throws IllegalStateException if a port is taken or another instance is using {@code dataDir}
     */
    public static EmbeddedKafka start(Path dataDir, int port, int controllerPort) {
        if (port <= 0 || controllerPort <= 0 || port == controllerPort) {
            // Port 0 cannot work: the advertised listener and the static quorum voter need the real port.
            throw new IllegalArgumentException(
                    "need two distinct fixed ports, got port=" + port + " controllerPort=" + controllerPort);
        }
        Path root = dataDir.toAbsolutePath().normalize();
        Path logDir = root.resolve(LOG_DIR_NAME);
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Kafka log dir " + logDir, e);
        }
        FileChannel lock = lockDataDir(root);
        try {
            // A controller listener that cannot bind is a *fatal* fault in Kafka and exits the JVM, while a
            // taken broker port only throws. Check both here so the caller gets an exception either way.
            ensurePortFree(controllerPort, "controller");
            ensurePortFree(port, "broker");

            // doLog=false: Kafka logs the effective config itself (at INFO); no need for a second dump.
            KafkaConfig config = new KafkaConfig(serverProperties(logDir, port, controllerPort), false);
            String clusterId = formatIfNeeded(logDir);

            // The constructor already loads meta.properties and registers metrics, so shut down on failure.
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            try {
                server.startup();
            } catch (RuntimeException | Error e) {
                try {
                    server.shutdown();
                    server.awaitShutdown();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            return new EmbeddedKafka(server, lock, HOST + ":" + port, clusterId);
        } catch (RuntimeException | Error e) {
            closeQuietly(lock, e);
            throw e;
        }
    }

    /** {@code host:port} for clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The cluster id stored in {@code meta.properties}; stable across restarts on the same data dir. */
    public String clusterId() {
        return clusterId;
    }

    /**
     * Controlled shutdown: flushes and checkpoints the logs and writes the clean-shutdown marker, so the
     * next start on the same directory skips log recovery. Idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                server.shutdown();
                server.awaitShutdown();
            } finally {
                closeQuietly(dataDirLock, null);
            }
        }
    }

    private static Map<String, String> serverProperties(Path logDir, int port, int controllerPort) {
        Map<String, String> p = new HashMap<>();
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("process.roles", "broker,controller");
        p.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + port + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + port);
        p.put("listener.security.protocol.map",
                BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        // Static single-voter quorum (kraft.version 0): no dynamic-quorum bootstrap snapshot at format time,
        // and the node elects itself at once.
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        // One directory for everything; metadata.log.dir defaults to the first log.dirs entry.
        p.put("log.dirs", logDir.toString());

        // Internal topics must fit on one node: the defaults (RF 3) would never get created. 1 partition
        // instead of 50 keeps the first group/transaction fast on 2 cores. Never change these counts for an
        // existing data dir: the group id / transactional id -> partition mapping depends on them.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("num.partitions", "1");

        // Consumer groups and Kafka Streams (classic and KIP-1071 "streams" protocol) start without
        // the 3 s join delay.
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("group.streams.initial.rebalance.delay.ms", "0");
        // After a crash (no controlled shutdown) the restarted controller still treats the old broker
        // incarnation as alive and answers DUPLICATE_BROKER_REGISTRATION until its session expires:
        // ~10 s extra startup with the 9 s default. Broker and controller share this JVM, so a short
        // session only risks a transient fence after a >3 s stall.
        p.put("broker.session.timeout.ms", "3000");
        p.put("broker.heartbeat.interval.ms", "500");
        // The log cleaner allocates this on the heap up front (default 128 MiB); dev topics are tiny.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
        // Fewer idle threads on a small dev box (defaults: 3 network, 8 io, 10 background).
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("background.threads", "4");
        return p;
    }

    /**
     * Formats the log dir exactly once. If {@code meta.properties} exists the directory was formatted
     * before: leave it (and its cluster id) alone, the broker would refuse data under another cluster id.
     */
    private static String formatIfNeeded(Path logDir) {
        Path metaProperties = logDir.resolve(META_PROPERTIES);
        if (Files.exists(metaProperties)) {
            String existing = readClusterId(metaProperties);
            LOG.info("Reusing Kafka data in {} (cluster id {})", logDir, existing);
            return existing;
        }
        String clusterId = Uuid.randomUuid().toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            // What `kafka-storage.sh format --cluster-id <id> --config <file>` does for static voters.
            new Formatter()
                    .setPrintStream(ps)
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(logDir.toString())
                    .addDirectory(logDir.toString())
                    .setHasDynamicQuorum(false)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("formatting Kafka storage in " + logDir + " failed: "
                    + out.toString(StandardCharsets.UTF_8), e);
        }
        LOG.info("Formatted new Kafka data dir {} (cluster id {})", logDir, clusterId);
        LOG.debug("Formatter output: {}", out.toString(StandardCharsets.UTF_8).strip());
        return clusterId;
    }

    private static String readClusterId(Path metaProperties) {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(metaProperties)) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + metaProperties, e);
        }
        return props.getProperty("cluster.id");
    }

    /**
     * Kafka only locks a combined log/metadata dir in the broker phase, after the controller has already
     * opened and written the metadata log, and a second controller on the same dir can exit the JVM.
     * Take our own lock first (held until {@link #close()}); it covers other processes and this JVM.
     */
    private static FileChannel lockDataDir(Path root) {
        Path lockFile = root.resolve(LOCK_FILE_NAME);
        FileChannel channel;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + lockFile, e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            closeQuietly(channel, null);
            throw new UncheckedIOException("cannot lock " + lockFile, e);
        }
        if (lock == null) {
            closeQuietly(channel, null);
            throw new IllegalStateException("Kafka data dir " + root + " is in use by another EmbeddedKafka");
        }
        return channel;
    }

    private static void ensurePortFree(int port, String what) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(HOST, port));
        } catch (IOException e) {
            throw new IllegalStateException("Kafka " + what + " port " + HOST + ":" + port + " is not free", e);
        }
    }

    private static void closeQuietly(FileChannel channel, Throwable primary) {
        try {
            channel.close(); // also releases the lock
        } catch (IOException e) {
            if (primary != null) {
                primary.addSuppressed(e);
            } else {
                LOG.warn("Could not release {}", LOCK_FILE_NAME, e);
            }
        }
    }
}
