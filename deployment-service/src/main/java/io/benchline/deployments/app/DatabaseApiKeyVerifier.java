package io.benchline.deployments.app;

import io.benchline.common.auth.ApiKeyVerifier;
import io.benchline.common.auth.Caller;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/** Replaces service-common's introspecting verifier (a @DefaultBean): keys live in this service's database. */
@ApplicationScoped
public class DatabaseApiKeyVerifier implements ApiKeyVerifier {
    private final ApiKeys apiKeys;

    public DatabaseApiKeyVerifier(ApiKeys apiKeys) {
        this.apiKeys = apiKeys;
    }

    @Override
    public Uni<Optional<Caller>> verify(String apiKey) {
        if (Context.isOnEventLoopThread()) {
            return apiKeys.verify(apiKey);
        }
        // The filter of a @Blocking endpoint (a streamed file) runs on a worker thread, where Hibernate Reactive
        // refuses to open a session: the lookup runs on a Vert.x context and this worker waits for it.
        return Uni.createFrom().item(() -> {
            try {
                return VertxContextSupport.subscribeAndAwait(() -> apiKeys.verify(apiKey));
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
