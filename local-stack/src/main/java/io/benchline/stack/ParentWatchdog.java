package io.benchline.stack;

import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Main class of every child JVM the stack starts: {@code ParentWatchdog <parent pid> <real main> [args]}.
 * It halts the child when the parent process is gone, so a killed launcher or test JVM never leaves
 * a Kafka broker or S3 server behind.
 */
public final class ParentWatchdog {
    private ParentWatchdog() {
    }

    public static void main(String[] args) throws Exception {
        long parentPid = Long.parseLong(args[0]);
        ProcessHandle.of(parentPid).ifPresentOrElse(
                parent -> parent.onExit().thenRun(() -> {
                    System.err.println("parent process " + parentPid + " is gone; stopping");
                    Runtime.getRuntime().halt(3);
                }),
                () -> Runtime.getRuntime().halt(3));
        Class<?> main = Class.forName(args[1]);
        Method method = main.getMethod("main", String[].class);
        method.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
    }
}
