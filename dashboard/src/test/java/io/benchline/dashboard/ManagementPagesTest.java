package io.benchline.dashboard;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Stations, Settings, History and API keys pages against the fake Benchline API: what they show, which actions
 * each role sees, the CSRF check, and the bodies the dashboard sends.
 */
@QuarkusTest
@QuarkusTestResource(FakeBenchlineApi.class)
class ManagementPagesTest {

    @BeforeEach
    void clear() {
        FakeBenchlineApi.REQUESTS.clear();
        FakeBenchlineApi.BODIES.clear();
    }

    @Test
    void theStationsListShowsOnePageAndLinksTheNext() {
        SignedIn viewer = SignedIn.signIn(FakeBenchlineApi.VIEWER);
        String html = viewer.page("/stations");
        assertThat(FakeBenchlineApi.REQUESTS).contains("GET /v2/stations?limit=50 " + FakeBenchlineApi.VIEWER);
        assertThat(html).contains("href=\"/stations/stn_line3\">Line 3 tester</a>",
                "<td data-label=\"Linked procedures\">1</td>", "<td data-label=\"Pointers\">1</td>",
                "<time datetime=\"2026-03-01T10:03:00Z\"",
                "href=\"/stations?cursor=" + FakeBenchlineApi.STATION_CURSOR + "\" rel=\"next\"");

        String next = viewer.page("/stations?cursor=" + FakeBenchlineApi.STATION_CURSOR);
        assertThat(FakeBenchlineApi.REQUESTS).contains("GET /v2/stations?limit=50&cursor="
                + FakeBenchlineApi.STATION_CURSOR + " " + FakeBenchlineApi.VIEWER);
        assertThat(next).contains("Line 5 tester", "First page").doesNotContain("rel=\"next\"");
    }

    @Test
    void aStationNamesAProcedureTheFirstPageOfProceduresDoesNotHold() {
        SignedIn member = SignedIn.signIn(FakeBenchlineApi.MEMBER);
        FakeBenchlineApi.REQUESTS.clear();
        String html = member.page("/stations/stn_more");
        assertThat(html).contains("<a href=\"/procedures/prc_paused\">voltage-check</a>");
        assertThat(FakeBenchlineApi.REQUESTS).contains("GET /v2/procedures " + FakeBenchlineApi.MEMBER,
                "GET /v2/procedures/prc_paused " + FakeBenchlineApi.MEMBER);
    }

    @Test
    void aStationShowsDesiredActualPinAgentStateLinksTimelineAndRuns() {
        SignedIn member = SignedIn.signIn(FakeBenchlineApi.MEMBER);
        FakeBenchlineApi.REQUESTS.clear();
        String html = member.page("/stations/stn_line3");
        assertThat(html).contains(
                // the pointer: desired (linked), staged since, actual, pin, agent state
                "<a href=\"/deployments/dep_ready\"><code>dep_ready</code></a>", "pointer v5",
                "<time datetime=\"2026-03-01T10:02:00Z\"", "<a href=\"/deployments/dep_old\"><code>dep_old</code></a>",
                "switching", "yes, by Grace", "<span class=\"badge staged\">staged</span>", "waiting for idle",
                // its link, under the procedure's name
                "<a href=\"/procedures/prc_1\">voltage-check</a>", "production",
                // the timeline (newest first, paged) and the runs
                "run_finished", "PB-000099", "by Grace", "hold line 3",
                "href=\"/stations/stn_line3?cursor=" + FakeBenchlineApi.TIMELINE_CURSOR + "\" rel=\"next\"",
                "<code>run_7</code>", "1 min 0 s", "<span class=\"badge passed\">passed</span>");
        // One call each for the station, its timeline, its runs and the procedures' names.
        assertThat(FakeBenchlineApi.REQUESTS).contains("GET /v2/stations/stn_line3 " + FakeBenchlineApi.MEMBER,
                "GET /v2/stations/stn_line3/timeline?limit=50 " + FakeBenchlineApi.MEMBER,
                "GET /v2/stations/stn_line3/runs " + FakeBenchlineApi.MEMBER,
                "GET /v2/procedures " + FakeBenchlineApi.MEMBER).hasSize(4);

        String empty = SignedIn.signIn(FakeBenchlineApi.MEMBER).page("/stations/stn_empty");
        assertThat(empty).contains("No pointers", "Not linked to any procedure", "Nothing has happened",
                "No runs on this station yet", "Nothing to run yet");
    }

    @Test
    void stationActionsShowForMembersOnly() {
        String member = SignedIn.signIn(FakeBenchlineApi.MEMBER).page("/stations/stn_line3");
        assertThat(member).contains("action=\"/stations/stn_line3/unpin\"", "name=\"deployment_id\" value=\"dep_ready\"",
                "action=\"/stations/stn_line3/run-requests\"", "<label for=\"run-serial\">",
                "<option value=\"prc_1\" selected>voltage-check</option>");

        String viewer = SignedIn.signIn(FakeBenchlineApi.VIEWER).page("/stations/stn_line3");
        assertThat(viewer).contains("dep_ready", "yes, by Grace")
                .doesNotContain("action=\"/stations/", "Unpin</button>", "Request a run");
    }

    @Test
    void unpinAndRequestARunSendWhatTheApiExpects() {
        SignedIn member = SignedIn.signIn(FakeBenchlineApi.MEMBER);
        Response unpin = member.post("/stations/stn_line3/unpin", Map.of("deployment_id", "dep_ready"));
        assertThat(unpin.statusCode()).isEqualTo(303);
        assertThat(unpin.header("Location")).isEqualTo("/stations/stn_line3?done=unpinned");
        assertThat(FakeBenchlineApi.REQUESTS).contains("DELETE /v2/stations/stn_line3/deployments/dep_ready "
                + FakeBenchlineApi.MEMBER);
        assertThat(member.page("/stations/stn_line3?done=unpinned")).contains("Unpinned: the pointer follows");

        Response run = member.post("/stations/stn_line3/run-requests",
                Map.of("procedure_id", "prc_1", "serial_number", " PB-000123 "));
        assertThat(run.statusCode()).isEqualTo(303);
        assertThat(run.header("Location")).isEqualTo("/stations/stn_line3?done=run-requested");
        assertThat(FakeBenchlineApi.BODIES).contains("POST /v2/stations/stn_line3/run-requests "
                + "{\"procedure_id\":\"prc_1\",\"serial_number\":\"PB-000123\"}");

        // Without a serial number the field is left out (the procedure's default applies).
        member.post("/stations/stn_line3/run-requests", Map.of("procedure_id", "prc_1", "serial_number", ""));
        assertThat(FakeBenchlineApi.BODIES).contains("POST /v2/stations/stn_line3/run-requests "
                + "{\"procedure_id\":\"prc_1\"}");

        // A viewer's forged form: the API refuses, the page says so.
        Response refused = SignedIn.signIn(FakeBenchlineApi.VIEWER).post("/stations/stn_line3/unpin",
                Map.of("deployment_id", "dep_ready"));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body().asString()).contains("unpinning a deployment needs an API key with role member",
                "href=\"/stations/stn_line3\"");
    }

    @Test
    void postsWithoutTheSessionsCsrfTokenChangeNothing() {
        SignedIn admin = SignedIn.signIn(FakeBenchlineApi.ADMIN);
        FakeBenchlineApi.REQUESTS.clear();
        String[] forms = {"/stations/stn_line3/unpin", "/stations/stn_line3/run-requests", "/procedures/prc_1/settings",
            "/procedures/prc_paused/settings/resume", "/procedures/prc_1/settings/stations", "/api-keys",
            "/api-keys/key_ci/revoke"};
        for (String form : forms) {
            for (String token : new String[] {null, "x" + admin.csrf()}) {
                RequestSpecification request = RestAssured.given().redirects().follow(false)
                        .cookie("bl_session", admin.cookie()).formParam("deployment_id", "dep_ready")
                        .formParam("procedure_id", "prc_1").formParam("name", "x").formParam("role", "viewer")
                        .formParam("idle_window_seconds", "1").formParam("max_deferral_seconds", "1");
                if (token != null) {
                    request.formParam("csrf", token);
                }
                Response answer = request.post(form);
                assertThat(answer.statusCode()).as(form).isEqualTo(403);
                assertThat(answer.body().asString()).contains("Form refused");
            }
        }
        assertThat(FakeBenchlineApi.REQUESTS).as("no call reached the API").isEmpty();
    }

    @Test
    void settingsShowTheProcedureAndTheAdminsForms() {
        String admin = SignedIn.signIn(FakeBenchlineApi.ADMIN).page("/procedures/prc_1/settings");
        assertThat(admin).contains("<nav class=\"tabs\"", "/ Settings</p>",
                "action=\"/procedures/prc_1/settings\"", "name=\"auto_push\" value=\"on\" checked",
                "id=\"production_branch\" name=\"production_branch\" value=\"main\"", "<label for=\"clone_url\">",
                "value=\"https://github.com/acme/voltage-check.git\"", "<option value=\"github\" selected>",
                "http://x/webhooks/github/hk_1", "http://x/webhooks/gitlab/hk_1",
                "action=\"/procedures/prc_1/settings/webhook-secret\"", "Rotate secret</button>",
                "action=\"/procedures/prc_1/settings/stations\"", "name=\"idle_window_seconds\"",
                "value=\"30\"", "value=\"3600\"", "uses the service's defaults")
                .doesNotContain("Auto-push is paused");
        assertThat(FakeBenchlineApi.REQUESTS).contains("GET /v2/procedures/prc_1/station-settings "
                + FakeBenchlineApi.ADMIN);

        String viewer = SignedIn.signIn(FakeBenchlineApi.VIEWER).page("/procedures/prc_1/settings");
        assertThat(viewer).contains("acme/voltage-check", "<code>main</code>", "http://x/webhooks/github/hk_1",
                "30 s", "3600 s").doesNotContain("<form method=\"post\" action=\"/procedures/", "<textarea");
        assertThat(SignedIn.signIn(FakeBenchlineApi.MEMBER).page("/procedures/prc_1/settings"))
                .doesNotContain("<form method=\"post\" action=\"/procedures/");
    }

    @Test
    void aPausedProcedureShowsWhyAndResumeForAdminsOnly() {
        String admin = SignedIn.signIn(FakeBenchlineApi.ADMIN).page("/procedures/prc_paused/settings");
        assertThat(admin).contains("Auto-push is paused", "by Grace", "rollback", "bad rail reading",
                "<a href=\"/deployments/dep_ready\"><code>dep_ready</code></a>",
                "action=\"/procedures/prc_paused/settings/resume\"", "Resume</button>");
        String viewer = SignedIn.signIn(FakeBenchlineApi.VIEWER).page("/procedures/prc_paused/settings");
        assertThat(viewer).contains("Auto-push is paused", "An admin resumes it").doesNotContain("/resume\"");

        SignedIn session = SignedIn.signIn(FakeBenchlineApi.ADMIN);
        Response resumed = session.post("/procedures/prc_paused/settings/resume", Map.of("note", " fixed "));
        assertThat(resumed.statusCode()).isEqualTo(303);
        assertThat(resumed.header("Location")).isEqualTo("/procedures/prc_paused/settings?done=resumed");
        assertThat(FakeBenchlineApi.BODIES).contains("POST /v2/procedures/prc_paused/resume {\"note\":\"fixed\"}");
    }

    @Test
    void saveSendsOnlyWhatChangedAsAPatch() {
        SignedIn admin = SignedIn.signIn(FakeBenchlineApi.ADMIN);
        // auto_push unticked, a new production branch, two excluded patterns, the same repository.
        Response saved = admin.post("/procedures/prc_1/settings", Map.of("production_branch", "release",
                "excluded_branches", "wip/*\r\n\r\n dependabot/** \r\n", "provider", "github",
                "clone_url", "https://github.com/acme/voltage-check.git", "full_name", "acme/voltage-check"));
        assertThat(saved.statusCode()).isEqualTo(303);
        assertThat(saved.header("Location")).isEqualTo("/procedures/prc_1/settings?done=saved");
        assertThat(FakeBenchlineApi.BODIES).contains("PATCH /v2/procedures/prc_1 {\"auto_push\":false,"
                + "\"production_branch\":\"release\",\"excluded_branches\":[\"wip/*\",\"dependabot/**\"]}");

        // The form as shown, sent back: nothing to change, no PATCH.
        FakeBenchlineApi.BODIES.clear();
        Response same = admin.post("/procedures/prc_1/settings", Map.of("auto_push", "on",
                "production_branch", "main", "excluded_branches", "", "provider", "github",
                "clone_url", "https://github.com/acme/voltage-check.git", "full_name", "acme/voltage-check"));
        assertThat(same.header("Location")).isEqualTo("/procedures/prc_1/settings?done=unchanged");
        assertThat(FakeBenchlineApi.BODIES).noneMatch(b -> b.startsWith("PATCH"));

        // A new repository URL goes as repository.clone_url only.
        admin.post("/procedures/prc_1/settings", Map.of("auto_push", "on",
                "clone_url", "https://github.com/acme/voltage-check-2.git"));
        assertThat(FakeBenchlineApi.BODIES).contains("PATCH /v2/procedures/prc_1 {\"repository\":"
                + "{\"clone_url\":\"https://github.com/acme/voltage-check-2.git\"}}");

        // A member's forged form: the API's refusal is the message.
        Response refused = SignedIn.signIn(FakeBenchlineApi.MEMBER).post("/procedures/prc_1/settings",
                Map.of("production_branch", "release"));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body().asString()).contains("changing a procedure needs an API key with role admin");
    }

    @Test
    void stationSettingsArePutAsWholeSeconds() {
        SignedIn admin = SignedIn.signIn(FakeBenchlineApi.ADMIN);
        Response saved = admin.post("/procedures/prc_1/settings/stations",
                Map.of("idle_window_seconds", "45", "max_deferral_seconds", " 900 "));
        assertThat(saved.statusCode()).isEqualTo(303);
        assertThat(saved.header("Location")).isEqualTo("/procedures/prc_1/settings?done=station-settings-saved");
        assertThat(FakeBenchlineApi.BODIES).contains("PUT /v2/procedures/prc_1/station-settings "
                + "{\"idle_window_seconds\":45,\"max_deferral_seconds\":900}");

        FakeBenchlineApi.BODIES.clear();
        Response invalid = admin.post("/procedures/prc_1/settings/stations",
                Map.of("idle_window_seconds", "soon", "max_deferral_seconds", "-1"));
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(invalid.body().asString()).contains("idle_window_seconds: must be a whole number",
                "max_deferral_seconds: must be a whole number", "href=\"/procedures/prc_1\"");
        assertThat(FakeBenchlineApi.BODIES).isEmpty();
    }

    @Test
    void theHistoryTabShowsOnePageAndLinksTheNext() {
        SignedIn viewer = SignedIn.signIn(FakeBenchlineApi.VIEWER);
        String html = viewer.page("/procedures/prc_1/history");
        assertThat(FakeBenchlineApi.REQUESTS).contains("GET /v2/procedures/prc_1/history?limit=50 "
                + FakeBenchlineApi.VIEWER);
        assertThat(html).contains("<nav class=\"tabs\"", "/ History</p>",
                "<span class=\"badge rollback\">rollback</span>", "<code>dep_ready</code>", "<code>dep_prod</code>",
                "title=\"key_admin\">Grace</span>", "bad rail reading", "<time datetime=\"2026-03-01T12:00:00Z\"",
                "href=\"/procedures/prc_1/history?cursor=" + FakeBenchlineApi.HISTORY_CURSOR + "\" rel=\"next\"");
        String older = viewer.page("/procedures/prc_1/history?cursor=" + FakeBenchlineApi.HISTORY_CURSOR);
        assertThat(FakeBenchlineApi.REQUESTS).contains("GET /v2/procedures/prc_1/history?limit=50&cursor="
                + FakeBenchlineApi.HISTORY_CURSOR + " " + FakeBenchlineApi.VIEWER);
        assertThat(older).contains("No older entries", "Newest").doesNotContain("rel=\"next\"");
    }

    @Test
    void apiKeysAreListedToAdminsAndOthersSeeTheApisRefusal() {
        String admin = SignedIn.signIn(FakeBenchlineApi.ADMIN).page("/api-keys");
        assertThat(admin).contains("ci runner", "<code>key_ci</code>", "admin key", "old laptop", "revoked",
                "action=\"/api-keys/key_ci/revoke\"", "action=\"/api-keys\"", "<label for=\"key-name\">",
                "<option value=\"viewer\" selected>").doesNotContain("/api-keys/key_old/revoke");

        for (String key : new String[] {FakeBenchlineApi.MEMBER, FakeBenchlineApi.VIEWER}) {
            Response refused = RestAssured.given().redirects().follow(false)
                    .cookie("bl_session", SignedIn.signIn(key).cookie()).get("/api-keys");
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body().asString()).contains("listing API keys needs an API key with role admin")
                    .doesNotContain("action=\"/api-keys");
        }
    }

    @Test
    void aRotatedWebhookSecretIsShownOnceOnTheAnswerPageAndOnlyAdminsRotate() {
        SignedIn admin = SignedIn.signIn(FakeBenchlineApi.ADMIN);
        Response rotated = admin.post("/procedures/prc_1/settings/webhook-secret", Map.of());
        assertThat(rotated.statusCode()).isEqualTo(200);
        assertThat(rotated.header("Location")).isNull();
        assertThat(rotated.header("Cache-Control")).isEqualTo("no-store");
        assertThat(rotated.body().asString()).contains("value=\"" + FakeBenchlineApi.NEW_HOOK_SECRET + "\"",
                "shown only this once", "http://x/webhooks/github/hk_1", "href=\"/procedures/prc_1/settings\"");
        assertThat(FakeBenchlineApi.BODIES).contains("POST /v2/procedures/prc_1/webhook-secret {}");
        assertThat(admin.page("/procedures/prc_1/settings")).doesNotContain(FakeBenchlineApi.NEW_HOOK_SECRET);

        // A member has no button; a hand-made post gets the API's refusal as a page, not a secret.
        Response refused = SignedIn.signIn(FakeBenchlineApi.MEMBER).post("/procedures/prc_1/settings/webhook-secret",
                Map.of());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body().asString()).contains("needs an API key with role admin")
                .doesNotContain(FakeBenchlineApi.NEW_HOOK_SECRET);
    }

    @Test
    void aCreatedKeysSecretIsShownOnceOnTheAnswerPageNeverInAUrl() {
        SignedIn admin = SignedIn.signIn(FakeBenchlineApi.ADMIN);
        Response created = admin.post("/api-keys", Map.of("name", " bench pc ", "role", "member"));
        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(created.header("Location")).isNull();
        assertThat(created.header("Cache-Control")).isEqualTo("no-store");
        assertThat(created.body().asString()).contains("value=\"" + FakeBenchlineApi.NEW_SECRET + "\"",
                "shown only this once", "<code>key_new</code>");
        assertThat(FakeBenchlineApi.BODIES).contains("POST /v2/api-keys {\"name\":\"bench pc\",\"role\":\"member\"}");
        // The list never shows it.
        assertThat(admin.page("/api-keys")).doesNotContain(FakeBenchlineApi.NEW_SECRET);

        // A refused name: the list again, with the API's message and the form filled in.
        Response refused = admin.post("/api-keys", Map.of("name", "", "role", "admin"));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body().asString()).contains("name: must be 1 to 100 characters",
                "<option value=\"admin\" selected>", "ci runner");
    }

    @Test
    void revokeDeletesTheKey() {
        SignedIn admin = SignedIn.signIn(FakeBenchlineApi.ADMIN);
        Response revoked = admin.post("/api-keys/key_ci/revoke", Map.of());
        assertThat(revoked.statusCode()).isEqualTo(303);
        assertThat(revoked.header("Location")).isEqualTo("/api-keys?done=revoked");
        assertThat(FakeBenchlineApi.REQUESTS).contains("DELETE /v2/api-keys/key_ci " + FakeBenchlineApi.ADMIN);
        assertThat(admin.page("/api-keys?done=revoked")).contains("The key was revoked");
    }
}
