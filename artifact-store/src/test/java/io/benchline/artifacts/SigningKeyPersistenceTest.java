package io.benchline.artifacts;

import io.benchline.artifacts.app.Ed25519;
import io.benchline.artifacts.app.SigningConfig;
import io.benchline.artifacts.app.SigningKeys;
import io.benchline.artifacts.model.SigningKey;
import io.benchline.artifacts.store.SigningKeyRepository;
import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.security.PublicKey;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The signing key survives a restart: it lives in the database, and a fresh load (what a restarted or a second
 * instance does) finds the same key instead of generating another one.
 */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_artifacts"),
        @ResourceArg(name = "s3", value = "true"),
        @ResourceArg(name = "kafka", value = "false")})
@QuarkusTestResource(FakeDeploymentService.class)
class SigningKeyPersistenceTest {
    private static final SigningConfig GENERATED = Optional::empty;

    @Inject
    SigningKeys keys;

    @Inject
    SigningKeyRepository repository;

    private SigningKeys.ActiveKey freshLoad() throws Throwable {
        SigningKeys fresh = new SigningKeys(repository, GENERATED);
        assertThat(fresh.current()).as("a new instance knows no key before loading").isEmpty();
        return VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(fresh::ensureActive));
    }

    private static Connection connect() throws Exception {
        return DriverManager.getConnection(BenchlineInfra.jdbcUrl("benchline_artifacts"), BenchlineInfra.dbUser(),
                BenchlineInfra.dbPassword());
    }

    private static List<String[]> rows() throws Exception {
        try (Connection c = connect();
             ResultSet rs = c.createStatement().executeQuery("select key_id, active from signing_keys order by key_id")) {
            List<String[]> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new String[] {rs.getString(1), String.valueOf(rs.getBoolean(2))});
            }
            return out;
        }
    }

    @Test
    void aSecondKeyLoadReturnsTheSameKey() throws Throwable {
        String loaded = keys.current().orElseThrow(() -> new AssertionError("key not loaded at startup")).keyId();

        SigningKeys.ActiveKey reloaded = freshLoad();

        assertThat(reloaded.keyId()).isEqualTo(loaded);
        assertThat(rows()).hasSize(1).allSatisfy(r -> {
            assertThat(r[0]).isEqualTo(loaded);
            assertThat(r[1]).isEqualTo("true");
        });
        // The reloaded private key is the one whose public half /v2/keys publishes.
        String digest = "sha256:" + "cd".repeat(32);
        PublicKey published = ArtifactStoreTest.publicKeyOf(loaded);
        assertThat(ArtifactStoreTest.verifies(published, digest, Ed25519.sign(reloaded.privateKey(), digest))).isTrue();
        // And an upload after the reload is still signed by that key.
        JsonPath uploaded = ArtifactStoreTest.upload(Zips.unique());
        assertThat(uploaded.getString("key_id")).isEqualTo(loaded);
    }

    /**
     * First start of several instances at once: nobody finds a key, each generates one, the unique partial index
     * lets one insert win and every instance ends with the winner's key. The original key is restored afterwards.
     */
    @Test
    void instancesGeneratingAKeyAtOnceEndWithTheSameOne() throws Throwable {
        String original = keys.current().orElseThrow().keyId();
        try (Connection c = connect()) {
            c.createStatement().execute("create temporary table saved_keys as select * from signing_keys");
            c.createStatement().execute("delete from signing_keys");
            try {
                List<SigningKeys.ActiveKey> loaded = loadConcurrently(4);
                String winner = loaded.get(0).keyId();
                assertThat(winner).isNotEqualTo(original);
                assertThat(loaded).extracting(SigningKeys.ActiveKey::keyId).containsOnly(winner);
                assertThat(rows()).hasSize(1).allSatisfy(r -> assertThat(r[0]).isEqualTo(winner));
            } finally {
                c.createStatement().execute("delete from signing_keys");
                c.createStatement().execute("insert into signing_keys select * from saved_keys");
            }
        }
        assertThat(rows()).hasSize(1).allSatisfy(r -> assertThat(r[0]).isEqualTo(original));
    }

    private List<SigningKeys.ActiveKey> loadConcurrently(int instances) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(instances);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        try {
            List<Future<SigningKeys.ActiveKey>> loads = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                loads.add(pool.submit((Callable<SigningKeys.ActiveKey>) () -> {
                    go.await();
                    try {
                        return freshLoad();
                    } catch (Throwable t) {
                        throw new IllegalStateException(t);
                    }
                }));
            }
            go.countDown();
            List<SigningKeys.ActiveKey> out = new ArrayList<>();
            for (Future<SigningKeys.ActiveKey> load : loads) {
                out.add(load.get(30, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void instancesLoadingAtOnceAgreeOnOneKey() throws Throwable {
        String loaded = keys.current().orElseThrow().keyId();
        assertThat(loadConcurrently(4)).extracting(SigningKeys.ActiveKey::keyId).containsOnly(loaded);
        assertThat(rows()).hasSize(1);
        List<SigningKey> listed = VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(keys::all));
        assertThat(listed).extracting(k -> k.keyId).containsExactly(loaded);
    }
}
