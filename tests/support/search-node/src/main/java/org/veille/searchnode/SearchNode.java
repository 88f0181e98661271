package org.veille.searchnode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * An embedded single-node OpenSearch cluster for Veille's tests (test support, not product).
 *
 * <p>The distribution's bootstrap (security manager, jar-hell and bootstrap checks, plugin
 * folders) is left out on purpose: the plugins are classes on the classpath, handed to the
 * protected {@link Node} constructor, which is what OpenSearch's own test framework does
 * without its security manager (that one fails on recent JDKs).
 *
 * <p>Usage: {@code SearchNode HOME_DIR [HTTP_PORT]}. Data go to HOME_DIR/data, the log to
 * HOME_DIR/logs; port 0 (the default) lets the system pick a free one. Once the node
 * serves HTTP, its address is in HOME_DIR/logs/http.ports (OpenSearch's own ports file).
 * SIGTERM closes the node cleanly.
 */
public final class SearchNode {

    /** Plugins the distribution ships as modules and Veille's index templates rely on. */
    static final List<Class<? extends Plugin>> PLUGINS = List.of(
        Netty4Plugin.class,
        CommonAnalysisPlugin.class,
        PainlessPlugin.class,
        ReindexPlugin.class,
        MapperExtrasPlugin.class);

    private SearchNode() {}

    /** Opens the protected constructor that takes classpath plugins. */
    static final class ClasspathPluginNode extends Node {
        ClasspathPluginNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            // false: let tests create indices with private settings such as index.version.created
            super(environment, plugins, false);
        }
    }

    /** The node's settings: one loopback node, nothing that needs the distribution's layout. */
    static Settings settings(Path home, String httpPort) {
        return Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", "veille-test")
            .put("node.name", "veille-search-node")
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", httpPort)
            // The transport layer is bound even for one node; any free port will do.
            .put("transport.port", "0")
            .put("http.type", "netty4")
            .put("transport.type", "netty4")
            // A CI disk at 90 % would otherwise make every index read-only (flood stage).
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            // Writes logs/http.ports once HTTP is bound: how the script learns a free port.
            .put("node.portsfile", true)
            .build();
    }

    /** The innermost cause, which names what failed (a port in use, a bad setting). */
    static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: SearchNode HOME_DIR [HTTP_PORT]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        String httpPort = args.length == 2 ? args[1] : "0";
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));
        Files.createDirectories(home.resolve("config"));
        // Read by src/main/resources/log4j2.properties; set before any OpenSearch class
        // creates its logger.
        System.setProperty("searchnode.logs", home.resolve("logs").toString());

        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings(home, httpPort), Map.of(), home.resolve("config"), () -> "veille-search-node");
        Node node = new ClasspathPluginNode(environment, PLUGINS);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                closed.countDown();
            }
        }, "search-node-shutdown"));
        try {
            node.start();
        } catch (Exception e) {
            e.printStackTrace();
            // Printed last: scripts/search-node shows the log's tail, which then ends with it.
            Throwable cause = rootCause(e);
            System.err.println("search-node: start failed: " + e + (cause == e ? "" : " (cause: " + cause + ")"));
            System.exit(1);
        }
        System.out.println("search-node: started, home " + home);
        closed.await();
    }
}
