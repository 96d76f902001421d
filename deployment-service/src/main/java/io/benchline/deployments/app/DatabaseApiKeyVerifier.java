package io.benchline.deployments.app;

import io.benchline.common.auth.ApiKeyVerifier;
import io.benchline.common.auth.Caller;
import io.smallrye.mutiny.Uni;
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
        return apiKeys.verify(apiKey);
    }
}
