package io.benchline.bench;

import io.benchline.stack.LocalStack;

import io.benchline.stack.ProcessSupervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Resident memory (VmRSS from /proc) of every process of the stack: the JVMs LocalStack started (its
 * descendants), PostgreSQL's postmaster and its children (from postmaster.pid), and this JVM, which runs the
 * load generator and any in-process gateway. Baseline for a JVM: an idle JVM with the services' flags.
 */
final class MemoryBench {
    static final String BENCH_JVM = "bench JVM (load generator)";

    private MemoryBench() {
    }

    record Proc(String name, long pid, long rss, long pss) {
    }

    static List<Proc> processes(BenchStack stack) {
        Map<Long, Proc> found = new LinkedHashMap<>();
        for (ProcessHandle h : ProcessHandle.current().descendants().toList()) {
            String name = name(h);
            if (name.equals("postgres")) {
                continue; // counted with the postmaster below
            }
            found.put(h.pid(), new Proc(name, h.pid(), LocalStack.rss(h.pid()), LocalStack.pss(h.pid())));
        }
        Optional<ProcessHandle> postmaster = postmaster(stack.dir().resolve("postgres"));
        if (postmaster.isPresent()) {
            Set<Long> pids = new LinkedHashSet<>();
            pids.add(postmaster.get().pid());
            postmaster.get().descendants().forEach(d -> pids.add(d.pid()));
            long total = pids.stream().mapToLong(LocalStack::rss).sum();
            long pss = pids.stream().mapToLong(LocalStack::pss).sum();
            pids.forEach(found::remove);
            found.put(postmaster.get().pid(), new Proc("postgres (postmaster + " + (pids.size() - 1) + " children)",
                    postmaster.get().pid(), total, pss));
        }
        List<Proc> out = new ArrayList<>(found.values());
        boolean ownGateway = out.stream().anyMatch(p -> p.name().equals("gateway"));
        out.add(new Proc(ownGateway ? BENCH_JVM : BENCH_JVM + " + in-process gateway", ProcessHandle.current().pid(),
                LocalStack.rss(ProcessHandle.current().pid()), LocalStack.pss(ProcessHandle.current().pid())));
        return out;
    }

    static void run(BenchStack stack, Report report, String when, long idleJvm) {
        String section = "6. resident memory (VmRSS), " + when;
        long total = 0;
        long totalPss = 0;
        for (Proc p : processes(stack)) {
            boolean jvm = !p.name().startsWith("postgres");
            boolean bench = p.name().startsWith(BENCH_JVM);
            String value = Report.mib(p.rss()) + (jvm ? "" : " (PSS " + Report.mib(p.pss()) + ")");
            report.row(section, p.name() + " [" + p.pid() + "]", value, jvm ? Report.mib(idleJvm) : "-",
                    jvm && idleJvm > 0 ? (double) p.rss() / idleJvm : Double.NaN, "-");
            if (!bench || p.name().contains("gateway")) {
                total += p.rss();
                totalPss += p.pss();
            }
        }
        report.row(section, "total of the stack (bench JVM left out" + ", unless it hosts the gateway)",
                Report.mib(total) + " (PSS " + Report.mib(totalPss) + ")", "-", Double.NaN, "≤ 1,600 MiB (README)");
    }

    /** The resident memory of a JVM with the services' flags that runs nothing. */
    static long idleJvm(boolean fullJit) {
        try {
            List<String> command = new ArrayList<>(List.of(ProcessSupervisor.javaExecutable(), "-Xms64m", "-Xmx256m",
                    "-XX:+UseSerialGC", "-Xss512k"));
            if (!fullJit) {
                command.add("-XX:TieredStopAtLevel=1");
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), Idle.class.getName(), "20000"));
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                Thread.sleep(3_000);
                return LocalStack.rss(p.pid());
            } finally {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    static Optional<ProcessHandle> postmaster(Path dataDir) {
        try {
            Path pidFile = dataDir.resolve("postmaster.pid");
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            return ProcessHandle.of(Long.parseLong(Files.readAllLines(pidFile).get(0).trim()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** What a child of the stack is, from its command line. */
    static String name(ProcessHandle h) {
        String cmd = cmdline(h);
        int app = cmd.indexOf("/target/quarkus-app/quarkus-run.jar");
        if (app > 0) {
            String before = cmd.substring(0, app);
            return before.substring(before.lastIndexOf('/') + 1);
        }
        if (cmd.contains(BareProxy.class.getName())) {
            return "bare Vert.x proxy";
        }
        if (cmd.contains("kafka.Kafka")) {
            return "kafka";
        }
        if (cmd.contains("org.gaul.s3proxy")) {
            return "s3proxy";
        }
        if (h.info().command().map(c -> c.endsWith("/postgres")).orElse(false)) {
            return "postgres";
        }
        String[] parts = cmd.split(" ");
        return parts[parts.length - 1].length() > 60 ? h.info().command().orElse("?") : parts[parts.length - 1];
    }

    private static String cmdline(ProcessHandle h) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + h.pid() + "/cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ').trim();
        } catch (IOException e) {
            return h.info().commandLine().orElse(h.info().command().orElse("?"));
        }
    }

}
