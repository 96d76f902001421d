package io.benchline.common.notify;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.util.function.Supplier;

/**
 * Starts reactive work (Hibernate Reactive sessions and transactions) from a callback that Quarkus did not
 * start itself, such as a notification handler: such work needs a safe duplicated Vert.x context of its own.
 */
public final class SafeContext {
    private static final Logger LOG = Logger.getLogger(SafeContext.class);

    private SafeContext() {
    }

    /** Subscribes to the Uni on a fresh safe duplicated context; failures are logged, never thrown. */
    public static void run(Vertx vertx, String what, Supplier<Uni<?>> work) {
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(v -> work.get().subscribe().with(ignored -> {
        }, f -> LOG.warnf("%s failed: %s", what, f.toString())));
    }
}
