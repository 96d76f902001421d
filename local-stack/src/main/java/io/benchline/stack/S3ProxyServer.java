package io.benchline.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real S3-compatible server (S3Proxy) in its own JVM with AWS signature auth on, storing objects
 * in a folder ({@code filesystem} backend) or in memory ({@code transient}).
 */
public final class S3ProxyServer implements AutoCloseable {
    private final ProcessSupervisor supervisor;
    private final ProcessSupervisor.Child child;
    private final int port;
    private final String accessKey;
    private final String secretKey;

    private S3ProxyServer(ProcessSupervisor supervisor, ProcessSupervisor.Child child, int port, String accessKey,
            String secretKey) {
        this.supervisor = supervisor;
        this.child = child;
        this.port = port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /** @param storageDir objects folder, or null for in-memory storage */
    public static S3ProxyServer start(StackLayout layout, ProcessSupervisor supervisor, Path dir, Path storageDir,
            int port, String accessKey, String secretKey) {
        Ports.requireFree(port, "the S3 server");
        String classpath = layout.classpathOf("stack-s3proxy");
        try {
            Files.createDirectories(dir);
            Path config = dir.resolve("s3proxy.properties");
            StringBuilder props = new StringBuilder()
                    .append("s3proxy.endpoint=http://127.0.0.1:").append(port).append('\n')
                    .append("s3proxy.authorization=aws-v2-or-v4\n")
                    .append("s3proxy.identity=").append(accessKey).append('\n')
                    .append("s3proxy.credential=").append(secretKey).append('\n')
                    .append("s3proxy.virtual-host=\n")
                    .append("jclouds.identity=").append(accessKey).append('\n')
                    .append("jclouds.credential=").append(secretKey).append('\n');
            if (storageDir == null) {
                props.append("jclouds.provider=transient\n");
            } else {
                Files.createDirectories(storageDir);
                props.append("jclouds.provider=filesystem\n")
                        .append("jclouds.filesystem.basedir=").append(storageDir.toAbsolutePath()).append('\n');
            }
            Files.writeString(config, props);
            Path logback = dir.resolve("logback.xml");
            Files.writeString(logback, """
                    <configuration>
                      <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                        <encoder><pattern>%d %-5level %logger{20} %msg%n</pattern></encoder>
                      </appender>
                      <root level="WARN"><appender-ref ref="OUT"/></root>
                    </configuration>
                    """);
            Path log = dir.resolve("s3proxy.log");
            ProcessSupervisor.Child child = supervisor.startJava("s3proxy",
                    List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC",
                            "-Dlogback.configurationFile=" + logback.toAbsolutePath()),
                    classpath, "org.gaul.s3proxy.Main", List.of("--properties", config.toAbsolutePath().toString()),
                    Map.of(), log);
            Waits.until(() -> Ports.listening(port), Duration.ofSeconds(60), "S3Proxy", child.process(), log);
            return new S3ProxyServer(supervisor, child, port, accessKey, secretKey);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** S3Proxy's JVM (its process changes when the supervisor restarts it). */
    public ProcessSupervisor.Child child() {
        return child;
    }

    boolean answers() {
        return Ports.listening(port);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    @Override
    public void close() {
        supervisor.stop(child);
    }
}
