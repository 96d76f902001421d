package io.benchline.dashboard;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;

/** The dashboard's pages against a fake Benchline API: sign-in, CSRF, roles, paging, refusals, sign-out. */
@QuarkusTest
@QuarkusTestResource(FakeBenchlineApi.class)
class DashboardTest {

    @BeforeEach
    void clear() {
        FakeBenchlineApi.REQUESTS.clear();
    }

    @Test
    void aKeyTheApiRefusesIsNotSignedInAndTheReasonIsShown() {
        Response form = RestAssured.given().get("/sign-in");
        Response answer = RestAssured.given().redirects().follow(false)
                .cookie("bl_sign_in", form.cookie("bl_sign_in"))
                .formParam("csrf", SignedIn.csrf(form.body().asString())).formParam("api_key", "blk_wrong")
                .post("/sign-in");
        assertThat(answer.statusCode()).isEqualTo(401);
        assertThat(answer.body().asString()).contains("The API did not accept this key: the API key is not valid");
        assertThat(answer.getHeaders().getValues("Set-Cookie")).noneMatch(c -> c.startsWith("bl_session="));
    }

    @Test
    void aGoodKeyGetsAnEncryptedHttpOnlyStrictCookie() {
        Response form = RestAssured.given().get("/sign-in");
        Response answer = RestAssured.given().redirects().follow(false)
                .cookie("bl_sign_in", form.cookie("bl_sign_in"))
                .formParam("csrf", SignedIn.csrf(form.body().asString())).formParam("api_key", FakeBenchlineApi.MEMBER)
                .post("/sign-in");
        assertThat(answer.statusCode()).isEqualTo(303);
        assertThat(answer.header("Location")).isEqualTo("/procedures");
        String cookie = answer.getHeaders().getValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("bl_session=")).findFirst().orElseThrow();
        assertThat(cookie).contains("HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=28800")
                .doesNotContain(FakeBenchlineApi.MEMBER);
        // The role comes from the API's answer about the key itself; sign-in changes nothing.
        assertThat(FakeBenchlineApi.REQUESTS).contains("GET /v2/api-keys/current " + FakeBenchlineApi.MEMBER)
                .noneMatch(r -> r.startsWith("POST ") && r.endsWith(" " + FakeBenchlineApi.MEMBER));
    }

    @Test
    void theSignInFormNeedsItsOwnToken() {
        Response answer = RestAssured.given().redirects().follow(false).cookie("bl_sign_in", "forged")
                .formParam("csrf", "forged").formParam("api_key", FakeBenchlineApi.ADMIN).post("/sign-in");
        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(answer.body().asString()).contains("Form refused");
        assertThat(FakeBenchlineApi.REQUESTS).isEmpty();
    }

    @Test
    void aPostWithoutTheSessionsCsrfTokenChangesNothing() {
        SignedIn admin = SignedIn.signIn(FakeBenchlineApi.ADMIN);
        for (String token : new String[] {null, "", "x" + admin.csrf()}) {
            var request = RestAssured.given().redirects().follow(false).cookie("bl_session", admin.cookie());
            if (token != null) {
                request.formParam("csrf", token);
            }
            Response answer = request.formParam("note", "x").post("/deployments/dep_ready/delete");
            assertThat(answer.statusCode()).isEqualTo(403);
            assertThat(answer.body().asString()).contains("Form refused", "security token");
        }
        assertThat(FakeBenchlineApi.REQUESTS).noneMatch(r -> r.startsWith("DELETE"));
        // The same session's own token is accepted.
        Response ok = RestAssured.given().redirects().follow(false).cookie("bl_session", admin.cookie())
                .formParam("csrf", admin.csrf()).post("/deployments/dep_ready/delete");
        assertThat(ok.statusCode()).isEqualTo(303);
        assertThat(ok.header("Location")).isEqualTo("/procedures/prc_1?done=deleted");
        assertThat(FakeBenchlineApi.REQUESTS).contains("DELETE /v2/deployments/dep_ready " + FakeBenchlineApi.ADMIN);
    }

    @Test
    void theRoleDecidesWhichActionsShow() {
        String admin = SignedIn.signIn(FakeBenchlineApi.ADMIN).page("/procedures/prc_1");
        assertThat(admin).contains("Promote to production", "action=\"/deployments/dep_ready/delete\"",
                "action=\"/deployments/dep_ready/pin\"", "action=\"/deployments/dep_failed/rerun\"",
                "Create Deployment", ">admin<");

        String member = SignedIn.signIn(FakeBenchlineApi.MEMBER).page("/procedures/prc_1");
        assertThat(member).contains("Create Deployment", "action=\"/deployments/dep_ready/pin\"",
                "action=\"/deployments/dep_failed/rerun\"")
                .doesNotContain("Promote to production", "/delete\"", "/rollback\"");

        String viewer = SignedIn.signIn(FakeBenchlineApi.VIEWER).page("/procedures/prc_1");
        assertThat(viewer).contains("dep_ready", "Inspect", "Sign out")
                .doesNotContain("Create Deployment", "action=\"/deployments/", "Promote", "Re-run", "Pin to");
        assertThat(SignedIn.signIn(FakeBenchlineApi.VIEWER).page("/deployments/dep_ready"))
                .doesNotContain("action=\"/deployments/");
    }

    @Test
    void theDeploymentsTabAsksForOnePageWithTheFiltersAndLinksTheNext() {
        SignedIn member = SignedIn.signIn(FakeBenchlineApi.MEMBER);
        String html = member.page("/procedures/prc_1?status=ready&environment=preview");
        assertThat(FakeBenchlineApi.REQUESTS).contains("GET /v2/deployments?procedure_id=prc_1&status=ready"
                + "&environment=preview&limit=50 " + FakeBenchlineApi.MEMBER);
        assertThat(html).contains("<option value=\"ready\" selected>", "<option value=\"preview\" selected>",
                "href=\"/procedures/prc_1?status=ready&amp;environment=preview&amp;cursor="
                        + FakeBenchlineApi.NEXT_CURSOR + "\"",
                "<code title=\"3f1c2b9d8e7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e\">3f1c2b9</code>", "Tune the rail reading",
                "Ada Lovelace", "feature/rail", "5.0 s", "23.0 KiB", "<time datetime=\"2026-03-01T09:59:58Z\"");

        String next = member.page("/procedures/prc_1?status=ready&environment=preview&cursor="
                + FakeBenchlineApi.NEXT_CURSOR);
        assertThat(FakeBenchlineApi.REQUESTS).anyMatch(r -> r.contains("&cursor=" + FakeBenchlineApi.NEXT_CURSOR));
        assertThat(next).contains("dep_prod", "Newest").doesNotContain("rel=\"next\"");
    }

    @Test
    void aRefusedDeleteShowsTheStationsThatBlockIt() {
        SignedIn admin = SignedIn.signIn(FakeBenchlineApi.ADMIN);
        Response answer = RestAssured.given().redirects().follow(false).cookie("bl_session", admin.cookie())
                .formParam("csrf", admin.csrf()).post("/deployments/dep_pinned/delete");
        assertThat(answer.statusCode()).isEqualTo(409);
        assertThat(answer.body().asString()).contains("deployment dep_pinned is assigned to 2 station(s)",
                "<li><code>sta_line3</code></li>", "<li><code>sta_line4</code></li>",
                "href=\"/deployments/dep_pinned\"");
    }

    @Test
    void aProblemOfTheApiIsAMessageNotAStackTrace() {
        Response answer = RestAssured.given().redirects().follow(false)
                .cookie("bl_session", SignedIn.signIn(FakeBenchlineApi.ADMIN).cookie()).get("/deployments/dep_missing");
        assertThat(answer.statusCode()).isEqualTo(404);
        assertThat(answer.contentType()).startsWith("text/html");
        assertThat(answer.body().asString()).contains("<h1>Not Found</h1>", "deployment dep_missing does not exist")
                .doesNotContain("Exception", "at io.");

        SignedIn viewer = SignedIn.signIn(FakeBenchlineApi.VIEWER);
        Response refused = RestAssured.given().redirects().follow(false).cookie("bl_session", viewer.cookie())
                .formParam("csrf", viewer.csrf()).formParam("branch", "main").post("/procedures/prc_1/deployments");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body().asString()).contains("creating a deployment needs an API key with role member");
    }

    @Test
    void inspectShowsCommitLogContentsStationsAndRunsAndRelaysTheLiveLog() {
        SignedIn member = SignedIn.signIn(FakeBenchlineApi.MEMBER);
        String html = member.page("/deployments/dep_ready");
        assertThat(html).contains("3f1c2b9d8e7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e", "python 3.12", "linux-x86_64",
                "cloning voltage-check", "<time datetime=\"2026-03-01T10:00:02Z\"", "src/", "checks/",
                "href=\"/deployments/dep_ready/files/src/checks/main.py\"", "sta_line3", "run_1", "PB-000042");
        assertThat(member.page("/deployments/dep_ready/files/src/checks/main.py"))
                .contains("print(&quot;rail &lt;3.30 V&gt;&quot;)");

        Response stream = RestAssured.given().cookie("bl_session", member.cookie()).header("Last-Event-ID", "2")
                .get("/deployments/dep_ready/logs/stream");
        assertThat(stream.contentType()).startsWith("text/event-stream");
        assertThat(stream.body().asString()).contains("id: 3\nevent: line\n", "packed 2 files", "event: end");
        assertThat(FakeBenchlineApi.REQUESTS).contains("GET /v2/deployments/dep_ready/logs "
                + FakeBenchlineApi.MEMBER);
    }

    @Test
    void signOutClearsTheCookieAndAForgedCookieIsNoSession() {
        SignedIn admin = SignedIn.signIn(FakeBenchlineApi.ADMIN);
        Response out = RestAssured.given().redirects().follow(false).cookie("bl_session", admin.cookie())
                .formParam("csrf", admin.csrf()).post("/sign-out");
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(out.header("Location")).isEqualTo("/sign-in?notice=signed-out");
        assertThat(out.getHeaders().getValues("Set-Cookie")).anyMatch(c -> c.startsWith("bl_session=;")
                && c.contains("Max-Age=0"));

        String cookie = admin.cookie();
        String tampered = cookie.substring(0, cookie.length() - 2) + (cookie.endsWith("AA") ? "BB" : "AA");
        for (String value : new String[] {tampered, "not-a-session"}) {
            Response page = RestAssured.given().redirects().follow(false).cookie("bl_session", value)
                    .get("/procedures");
            assertThat(page.statusCode()).isEqualTo(303);
            assertThat(page.header("Location")).isEqualTo("/sign-in");
        }
    }

    /**
     * The live stream of the Deployments tab re-reads the first page (with the page's filters) and sends each row
     * once as the page's own row HTML, then only rows that changed (the fake's never change); it ends after its
     * lifetime (1 s in tests).
     */
    @Test
    void theLiveStreamSendsEachChangedRowOnceAsThePagesOwnRow() {
        SignedIn member = SignedIn.signIn(FakeBenchlineApi.MEMBER);
        String tab = member.page("/procedures/prc_1?environment=preview");
        assertThat(tab).contains("data-live=\"/procedures/prc_1/live?environment=preview\"");
        Response stream = RestAssured.given().cookie("bl_session", member.cookie())
                .get("/procedures/prc_1/live?environment=preview");
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.contentType()).startsWith("text/event-stream");
        String body = stream.body().asString();
        assertThat(body).containsPattern("event: row\ndata: dep_ready\ndata: +<tr id=\"dep_ready\">").contains(
                "event: row\ndata: dep_failed\n");
        assertThat(body.split("data: dep_ready\n", -1)).as("dep_ready sent once: %s", body).hasSize(2);
        assertThat(body).contains("action=\"/deployments/dep_failed/rerun\""); // the member's buttons
        long reads = FakeBenchlineApi.REQUESTS.stream().filter(r -> r.equals("GET /v2/deployments?procedure_id=prc_1"
                + "&environment=preview&limit=50 " + FakeBenchlineApi.MEMBER)).count();
        assertThat(reads).as("the tab's read and the stream's re-reads").isGreaterThan(2);
        // A later page has no live stream (its rows are not the newest).
        assertThat(member.page("/procedures/prc_1?cursor=" + FakeBenchlineApi.NEXT_CURSOR)).doesNotContain("data-live");
        // Without a session: one end event saying why.
        assertThat(RestAssured.given().get("/procedures/prc_1/live").body().asString())
                .startsWith("event: end\ndata: {\"title\":\"Not signed in\"");
    }

    @Test
    void rolloutStagesAreReadAsPercentsOrStationCounts() {
        assertThat(io.benchline.dashboard.web.StagesForTest.read("1, 10 %, 50%, 100 %"))
                .isEqualTo("[{stations=1}, {percent=10}, {percent=50}, {percent=100}]");
        assertThat(io.benchline.dashboard.web.StagesForTest.refusal("10 %, ten")).contains("\"ten\"");
        assertThat(io.benchline.dashboard.web.StagesForTest.refusal(" , ")).contains("name at least one stage");
    }
}
