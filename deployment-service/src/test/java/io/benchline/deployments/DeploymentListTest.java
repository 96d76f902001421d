package io.benchline.deployments;

import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.benchline.deployments.TestSupport.KEY;
import static io.benchline.deployments.TestSupport.as;
import static io.benchline.deployments.TestSupport.awaitStatus;
import static io.benchline.deployments.TestSupport.createProcedure;
import static io.benchline.deployments.TestSupport.digest;
import static io.benchline.deployments.TestSupport.newDeliveryId;
import static io.benchline.deployments.TestSupport.orgId;
import static io.benchline.deployments.TestSupport.push;
import static io.benchline.deployments.TestSupport.ready;
import static io.benchline.deployments.TestSupport.sendCompleted;
import static io.benchline.deployments.TestSupport.sendPush;
import static io.benchline.deployments.TestSupport.sha;
import static io.benchline.deployments.TestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

/** GET /v2/deployments: newest first, filters, limit and cursor paging, parameter validation. */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_deployments"),
        @ResourceArg(name = "kafka", value = "true")})
class DeploymentListTest {

    private static String manual(String procedureId) {
        return as(KEY).body(Map.of("procedure_id", procedureId, "commit_sha", sha())).post("/v2/deployments")
                .then().statusCode(202).extract().path("id");
    }

    private static JsonPath list(Map<String, Object> params) {
        return as(KEY).queryParams(params).get("/v2/deployments").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void pagesNewestFirstWithACursorUntilTheEnd() {
        String procedureId = createProcedure(KEY, "acme/" + unique("list"), Map.of()).getString("id");
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(manual(procedureId));
        }
        List<String> newestFirst = new ArrayList<>(created);
        java.util.Collections.reverse(newestFirst);

        JsonPath all = list(Map.of("procedure_id", procedureId));
        assertThat(all.getList("data.id", String.class)).containsExactlyElementsOf(newestFirst);
        assertThat(all.getList("data.sequence", Integer.class)).containsExactly(5, 4, 3, 2, 1);
        assertThat(all.getString("next_cursor")).isNull();

        List<String> paged = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Map<String, Object> params = new java.util.HashMap<>(Map.of("procedure_id", procedureId, "limit", 2));
            if (cursor != null) {
                params.put("cursor", cursor);
            }
            JsonPath page = list(params);
            List<String> ids = page.getList("data.id", String.class);
            assertThat(ids.size()).isLessThanOrEqualTo(2);
            paged.addAll(ids);
            cursor = page.getString("next_cursor");
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(pages).isEqualTo(3);
        assertThat(paged).containsExactlyElementsOf(newestFirst);

        // the whole organization's list is newest first too, and contains these
        List<String> org = list(Map.of("limit", 100)).getList("data.id", String.class);
        assertThat(org).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    }

    @Test
    void filtersByProcedureStatusAndEnvironment() {
        String repo = "acme/" + unique("filters");
        String procedureId = createProcedure(KEY, repo, Map.of()).getString("id");
        String otherProcedure = createProcedure(KEY, "acme/" + unique("filters-other"), Map.of()).getString("id");
        String previewPending = manual(procedureId);
        String previewReady = manual(procedureId);
        String elsewhere = manual(otherProcedure);
        sendPush(push(orgId(), repo, newDeliveryId(), "main", sha()));
        String production = TestSupport.await("the production deployment",
                () -> list(Map.of("procedure_id", procedureId, "environment", "production")).getList("data.id",
                        String.class), ids -> !ids.isEmpty()).get(0);
        sendCompleted(ready(previewReady, java.time.Instant.now(), java.time.Instant.now(), digest()), previewReady);
        awaitStatus(previewReady, "ready");

        assertThat(list(Map.of("procedure_id", procedureId)).getList("data.id", String.class))
                .containsExactly(production, previewReady, previewPending).doesNotContain(elsewhere);
        assertThat(list(Map.of("procedure_id", procedureId, "environment", "preview")).getList("data.id", String.class))
                .containsExactly(previewReady, previewPending);
        assertThat(list(Map.of("procedure_id", procedureId, "environment", "production")).getList("data.id",
                String.class)).containsExactly(production);
        assertThat(list(Map.of("procedure_id", procedureId, "status", "ready")).getList("data.id", String.class))
                .containsExactly(previewReady);
        assertThat(list(Map.of("procedure_id", procedureId, "status", "pending")).getList("data.id", String.class))
                .containsExactly(production, previewPending);
        assertThat(list(Map.of("procedure_id", procedureId, "status", "pending", "environment", "preview"))
                .getList("data.id", String.class)).containsExactly(previewPending);
        assertThat(list(Map.of("procedure_id", procedureId, "status", "failed")).getList("data")).isEmpty();
        assertThat(list(Map.of("procedure_id", "prc_00000000000000000000000000")).getList("data")).isEmpty();
        assertThat(list(Map.of("status", "ready", "limit", 100)).getList("data.status", String.class))
                .isNotEmpty().allMatch("ready"::equals);
    }

    @Test
    void badParametersAre400Problems() {
        for (Map<String, Object> bad : List.<Map<String, Object>>of(
                Map.of("limit", 0), Map.of("limit", -1), Map.of("limit", 101), Map.of("limit", "ten"),
                Map.of("limit", "1.5"), Map.of("status", "done"), Map.of("environment", "staging"),
                Map.of("cursor", "not-a-cursor"))) {
            JsonPath problem = as(KEY).queryParams(bad).get("/v2/deployments").then().statusCode(400)
                    .contentType("application/problem+json").extract().jsonPath();
            assertThat(problem.getInt("status")).isEqualTo(400);
            assertThat(problem.getList("errors.field", String.class)).containsExactly(bad.keySet().iterator().next());
        }
        as(KEY).queryParam("limit", 100).get("/v2/deployments").then().statusCode(200);
        as(KEY).queryParam("limit", 1).get("/v2/deployments").then().statusCode(200);
    }
}
