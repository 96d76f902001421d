package io.benchline.bench;

/** A JVM that does nothing: its resident memory is the floor under every JVM process of the stack. */
public final class Idle {
    private Idle() {
    }

    public static void main(String[] args) throws InterruptedException {
        Thread.sleep(Long.parseLong(args.length > 0 ? args[0] : "60000"));
    }
}
