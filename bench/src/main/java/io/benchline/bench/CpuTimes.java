package io.benchline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * CPU time (user + system, from /proc) of every process of the stack, the bench JVM and the whole machine, so a
 * run can say where the two cores went: CPU milliseconds per answered request for each process, and the rest of the
 * machine (other work on it) beside them. PostgreSQL counts the postmaster, its live children and the children it
 * already reaped.
 */
final class CpuTimes {
    /** Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ). */
    private static final double TICK_MS = 10.0;

    record Snapshot(long nanos, Map<String, Long> ticks, long machineBusy) {
    }

    private CpuTimes() {
    }

    static Snapshot take(BenchStack stack) {
        Map<String, Long> ticks = new LinkedHashMap<>();
        for (ProcessHandle h : ProcessHandle.current().descendants().toList()) {
            String name = MemoryBench.name(h);
            if (!name.equals("postgres")) {
                ticks.merge(name, processTicks(h.pid(), false), Long::sum);
            }
        }
        Optional<ProcessHandle> postmaster = MemoryBench.postmaster(stack.dir().resolve("postgres"));
        if (postmaster.isPresent()) {
            long sum = processTicks(postmaster.get().pid(), true);
            for (ProcessHandle child : postmaster.get().descendants().toList()) {
                sum += processTicks(child.pid(), false);
            }
            ticks.put("postgres", sum);
        }
        ticks.put("bench JVM", processTicks(ProcessHandle.current().pid(), false));
        return new Snapshot(System.nanoTime(), ticks, machineBusyTicks());
    }

    /**
     * "webhook-service 0.61, postgres 0.40, … ms CPU per request; the machine's other work 0.20; 1.96 of 2 cores
     * busy" for what happened between the two snapshots.
     */
    static String perRequest(Snapshot before, Snapshot after, long requests) {
        double seconds = (after.nanos() - before.nanos()) / 1e9;
        StringBuilder b = new StringBuilder("CPU ms per answered request: ");
        long stack = 0;
        boolean first = true;
        for (Map.Entry<String, Long> e : after.ticks().entrySet()) {
            long delta = e.getValue() - before.ticks().getOrDefault(e.getKey(), 0L);
            stack += delta;
            if (delta * TICK_MS / Math.max(1, requests) < 0.005) {
                continue;
            }
            b.append(first ? "" : ", ").append(e.getKey()).append(' ')
                    .append(String.format(Locale.ROOT, "%.2f", delta * TICK_MS / Math.max(1, requests)));
            first = false;
        }
        long machine = after.machineBusy() - before.machineBusy();
        long others = Math.max(0, machine - stack);
        int cores = Runtime.getRuntime().availableProcessors();
        b.append(String.format(Locale.ROOT, "; rest of the machine %.2f; %.2f of %d cores busy over %.1f s",
                others * TICK_MS / Math.max(1, requests), machine * TICK_MS / 1000 / seconds, cores, seconds));
        return b.toString();
    }

    /** utime + stime (and, for a parent that reaps its workers, cutime + cstime) of one process, in ticks. */
    private static long processTicks(long pid, boolean withReapedChildren) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name (field 2) may hold spaces; the fields after it start behind its closing parenthesis.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            // f[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
            long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return withReapedChildren ? t + Long.parseLong(f[13]) + Long.parseLong(f[14]) : t;
        } catch (IOException | RuntimeException e) {
            return 0; // the process ended
        }
    }

    /** Busy ticks of the whole machine (all but idle and iowait), from /proc/stat. */
    private static long machineBusyTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                total += Long.parseLong(f[i]);
            }
            return total - Long.parseLong(f[4]) - Long.parseLong(f[5]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
