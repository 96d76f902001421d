package io.benchline.bench;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dashboard's pages with a million deployments in one procedure, as a signed-in browser asks for them through
 * the gateway: the procedures list, the Deployments tab (first page, filtered, filtered to nothing, its own next
 * link, a cursor page half way down), Inspect and the Rollouts tab. Each page is one request to the dashboard,
 * which asks the API (through the gateway again) and renders the HTML. Baseline: the same API calls the page
 * makes, sent at once as the page sends them, with the key as Bearer token, timed until the last one answers.
 * Every answer must be 200 HTML holding the page's marker (a deployment id, the procedure id), so a lost session
 * (a 303 to the sign-in page) cannot pass for a fast page.
 */
final class DashboardPagesBench {
    private static final String SECTION_FORMAT = "9. dashboard pages (HTML via gateway), %,d deployments in one procedure";
    private static final String TARGET = "p99 < 200 ms";
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    private static final Pattern NEXT = Pattern.compile("<a href=\"([^\"]+)\" rel=\"next\">");
    private static final Pattern ROW = Pattern.compile("<tr id=\"dep_");
    /** Wall time one sequential line of a slow page may take; a page slower than 100 ms gets fewer samples. */
    private static final double LINE_BUDGET_MS = 20_000;
    private static final int MIN_SAMPLES = 30;
    /** Unmeasured requests of a page and of its API calls right before its lines (after {@link #warmUp}). */
    private static final int WARM_UP = 10;
    private static final int LOG_LINES = 200;

    /** One API call a page makes; a page shows a refusal of an optional one in its section and still answers 200. */
    record ApiCall(String uri, boolean optional) {
        static ApiCall required(String uri) {
            return new ApiCall(uri, false);
        }
    }

    /** A page, the text its HTML must hold, the API calls it makes (all at once), and its deployments query if any. */
    record Page(String name, String uri, String marker, List<ApiCall> calls, ListQuery query) {
        Page(String name, String uri, String marker, List<ApiCall> calls) {
            this(name, uri, marker, calls, null);
        }
    }

    /**
     * What deployment-service asks PostgreSQL for a {@code GET /v2/deployments} page (DeploymentRepository.page):
     * the procedure's live rows, filtered, older than the cursor, newest first, one more than the page.
     */
    record ListQuery(String status, String environment, String cursor, int limit) {
        String sql() {
            return "select * from deployments where org_id = ? and deleted_at is null and procedure_id = ?"
                    + (status == null ? "" : " and status = ?") + (environment == null ? "" : " and environment = ?")
                    + (cursor == null ? "" : " and id < ?") + " order by id desc limit " + (limit + 1);
        }

        void bind(PreparedStatement s, DeploymentRows rows) throws SQLException {
            int i = 1;
            s.setString(i++, rows.orgId());
            s.setString(i++, rows.procedureId());
            for (String value : new String[] {status, environment, cursor}) {
                if (value != null) {
                    s.setString(i++, value);
                }
            }
        }
    }

    private DashboardPagesBench() {
    }

    static void run(BenchStack stack, BenchOptions o, Report report) throws Exception {
        DeploymentRows rows = stack.deploymentRows(o.deploymentRows);
        String section = String.format(Locale.ROOT, SECTION_FORMAT, rows.rows());
        report.note("9: setup: " + rows.setupNote());
        String cookie = signIn(stack);
        BenchMain.progress("dashboard: signed in through the gateway; checking each page");
        List<Page> pages = pages(stack, rows, cookie, report);

        int gateway = stack.gatewayPort();
        MultiMap browser = MultiMap.caseInsensitiveMultiMap().add("Cookie", cookie).add("Accept", "text/html");
        MultiMap bearer = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + stack.apiKey())
                .add("Accept", "application/json");
        Duration concurrentRun = Duration.ofSeconds(o.dashboardSeconds);
        int c = o.dashboardConcurrency;
        Page slowest = null;
        double slowestMillis = 0;
        // Up to five API calls per page, c pages at once: enough connections that none waits for one.
        try (HttpLoad load = new HttpLoad(8 * Math.max(1, c))) {
            warmUp(load, pages, gateway, browser, bearer);
            for (Page page : pages) {
                Supplier<Future<HttpLoad.Response>> html = () -> htmlPage(load, gateway, page, browser);
                Supplier<Future<HttpLoad.Response>> api = () -> apiCalls(load, gateway, page, bearer);
                HttpLoad.Result warm = load.sequentialCalls(html, s -> s == 200, WARM_UP);
                load.sequentialCalls(api, s -> s == 200, WARM_UP);
                int samples = samples(o.pageSamples, warm.latencies().p50());
                BenchMain.progress("dashboard: " + page.name() + ", " + samples + " pages one at a time, then c=" + c
                        + " for " + o.dashboardSeconds + " s");
                HttpLoad.Result apiSeq = load.sequentialCalls(api, s -> s == 200, samples);
                HttpLoad.Result pageSeq = load.sequentialCalls(html, s -> s == 200, samples);
                HttpLoad.Result apiConc = load.closedLoopCalls(api, s -> s == 200, c, concurrentRun);
                HttpLoad.Result pageConc = load.closedLoopCalls(html, s -> s == 200, c, concurrentRun);
                report.row(section, page.name() + ": one at a time, p50 / p99", pageSeq.latencies().p50p99(),
                        apiSeq.latencies().p50p99(), pageSeq.latencies().p99() / apiSeq.latencies().p99(), TARGET);
                report.row(section, String.format(Locale.ROOT, "  c=%d, p50 / p99 (%s pages)", c,
                                Report.rate(pageConc.rate())), pageConc.latencies().p50p99(),
                        apiConc.latencies().p50p99(), pageConc.latencies().p99() / apiConc.latencies().p99(), TARGET);
                if (page.query() != null) {
                    Latencies sql = rawQuery(stack, rows, page.query(), Math.min(samples, 100));
                    report.row(section, "  its deployments query over JDBC, p50 / p99", sql.p50p99(), "-", Double.NaN,
                            "-");
                    if (slowest == null || sql.p50() > slowestMillis) {
                        slowest = page;
                        slowestMillis = sql.p50();
                    }
                }
                if (samples < o.pageSamples) {
                    report.note(String.format(Locale.ROOT, "9 %s: %d samples one at a time, not %d (p50 %s in the"
                            + " warm-up)", page.name(), samples, o.pageSamples, Report.ms(warm.latencies().p50())));
                }
                Map<String, HttpLoad.Result> results = new LinkedHashMap<>();
                results.put("page one at a time", pageSeq);
                results.put("API one at a time", apiSeq);
                results.put("page c=" + c, pageConc);
                results.put("API c=" + c, apiConc);
                for (Map.Entry<String, HttpLoad.Result> r : results.entrySet()) {
                    if (!r.getValue().problems().isEmpty()) {
                        report.note("9 " + page.name() + ", " + r.getKey() + ": " + r.getValue().problems());
                    }
                }
            }
        }
        if (slowest != null) {
            report.note("9 " + slowest.name() + ": the slowest deployments query, " + slowest.query().sql() + ": "
                    + plan(stack, rows, slowest.query()));
        }
        report.note("9: value = GET of the page through the gateway with the session cookie of a real sign-in (GET"
                + " /sign-in for the bl_sign_in nonce and the form's CSRF token, POST /sign-in with the stack's API"
                + " key), 200 text/html holding the page's marker; the dashboard asks the API back through the gateway."
                + " Baseline = the page's own API calls through the gateway with the key as Bearer token, sent at once"
                + " as the page sends them, timed until the last answers. Warm-up: every page and its calls 30 times"
                + " (a page slower than 100 ms: its calls not), then " + WARM_UP + " of each right before its lines;"
                + " c=" + c + ": closed loop for " + o.dashboardSeconds + " s (pages, then the API calls, same"
                + " concurrency). Ratio on p99.");
    }

    /**
     * Every page and its API calls a few times first, so JIT compilation of the dashboard's templates and the
     * services' paths is behind us before the first measured line, not inside it.
     */
    private static void warmUp(HttpLoad load, List<Page> pages, int gateway, MultiMap browser, MultiMap bearer) {
        BenchMain.progress("dashboard: warming up every page and its API calls");
        for (int round = 0; round < 3; round++) {
            for (Page page : pages) {
                HttpLoad.Result r = load.sequentialCalls(() -> htmlPage(load, gateway, page, browser), s -> s == 200,
                        10);
                if (r.latencies().p50() < 100) {
                    load.sequentialCalls(() -> apiCalls(load, gateway, page, bearer), s -> s == 200, 10);
                }
            }
        }
    }

    /** The page's deployments query over JDBC, one at a time after 10 unmeasured runs (a prepared statement). */
    private static Latencies rawQuery(BenchStack stack, DeploymentRows rows, ListQuery query, int samples)
            throws Exception {
        Latencies latencies = new Latencies();
        try (Connection c = stack.jdbc("benchline_deployments"); PreparedStatement s = c.prepareStatement(query.sql())) {
            for (int i = -10; i < samples; i++) {
                long t0 = System.nanoTime();
                query.bind(s, rows);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        rs.getString("id");
                    }
                }
                if (i >= 0) {
                    latencies.recordNanos(System.nanoTime() - t0);
                }
            }
        }
        return latencies;
    }

    /**
     * PostgreSQL's plans of the query (EXPLAIN ANALYZE, BUFFERS), each on one line: the custom plan for these values,
     * and the generic plan, which a statement prepared once and run many times (as the services' reactive client and
     * JDBC do) may switch to after five runs.
     */
    private static String plan(BenchStack stack, DeploymentRows rows, ListQuery query) throws Exception {
        try (Connection c = stack.jdbc("benchline_deployments")) {
            List<String> custom = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("explain (analyze, buffers) " + query.sql())) {
                query.bind(s, rows);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        custom.add(rs.getString(1).strip());
                    }
                }
            }
            List<String> values = new ArrayList<>(List.of(rows.orgId(), rows.procedureId()));
            for (String value : new String[] {query.status(), query.environment(), query.cursor()}) {
                if (value != null) {
                    values.add(value);
                }
            }
            String sql = query.sql();
            for (int i = 1; sql.contains("?"); i++) {
                sql = sql.replaceFirst("\\?", "\\$" + i);
            }
            List<String> generic = new ArrayList<>();
            try (java.sql.Statement s = c.createStatement()) {
                s.execute("prepare bench_page (" + String.join(", ", java.util.Collections.nCopies(values.size(), "text"))
                        + ") as " + sql);
                s.execute("set plan_cache_mode = force_generic_plan");
                // The values are ids and enum words the bench made (letters, digits, underscores).
                try (ResultSet rs = s.executeQuery("explain (analyze, buffers) execute bench_page ('"
                        + String.join("', '", values) + "')")) {
                    while (rs.next()) {
                        generic.add(rs.getString(1).strip());
                    }
                }
            }
            return "custom plan: " + String.join(" | ", custom) + " ## generic plan: " + String.join(" | ", generic);
        }
    }

    /** Samples of a line: all of {@code --page-samples}, fewer for a slow page so one line stays within ~20 s. */
    static int samples(int wanted, double warmUpP50Millis) {
        if (Double.isNaN(warmUpP50Millis) || warmUpP50Millis <= 100) {
            return wanted;
        }
        return Math.min(wanted, Math.max(MIN_SAMPLES, (int) (LINE_BUDGET_MS / warmUpP50Millis)));
    }

    private static Future<HttpLoad.Response> htmlPage(HttpLoad load, int port, Page page, MultiMap browser) {
        return load.send(HttpLoad.Request.get(port, page.uri(), browser), 60_000).compose(r -> {
            if (r.status() != 200) {
                return Future.succeededFuture(r);
            }
            String type = r.headers().get("Content-Type");
            if (type == null || !type.startsWith("text/html")) {
                return Future.failedFuture(new IllegalStateException(page.uri() + ": 200 " + type + ", not HTML"));
            }
            if (!r.body().toString(StandardCharsets.UTF_8).contains(page.marker())) {
                return Future.failedFuture(new IllegalStateException(page.uri() + ": 200 HTML without "
                        + page.marker()));
            }
            return Future.succeededFuture(r);
        });
    }

    /** The page's API calls at once; answers 200 when every required one did (the first refusal's status if not). */
    private static Future<HttpLoad.Response> apiCalls(HttpLoad load, int port, Page page, MultiMap bearer) {
        List<Future<HttpLoad.Response>> sent = new ArrayList<>();
        for (ApiCall call : page.calls()) {
            sent.add(load.send(HttpLoad.Request.get(port, call.uri(), bearer), 60_000));
        }
        return Future.all(sent).map(all -> {
            for (int i = 0; i < sent.size(); i++) {
                HttpLoad.Response r = sent.get(i).result();
                if (!page.calls().get(i).optional() && r.status() != 200) {
                    return r;
                }
            }
            return sent.get(0).result();
        });
    }

    /**
     * Signs in as a browser does, through the gateway: the form sets the {@code bl_sign_in} nonce cookie and holds
     * the CSRF token bound to it; the POST answers 303 to {@code /procedures} with the {@code bl_session} cookie.
     */
    static String signIn(BenchStack stack) throws Exception {
        String base = "http://127.0.0.1:" + stack.gatewayPort();
        HttpResponse<byte[]> form = stack.send(HttpRequest.newBuilder(URI.create(base + "/sign-in"))
                .timeout(Duration.ofSeconds(30)).header("Accept", "text/html").GET().build());
        String html = new String(form.body(), StandardCharsets.UTF_8);
        Matcher csrf = CSRF.matcher(html);
        String nonce = cookie(form, "bl_sign_in");
        if (form.statusCode() != 200 || !csrf.find() || nonce == null) {
            throw new IllegalStateException("GET /sign-in answered " + form.statusCode() + " without the form's CSRF"
                    + " token or the bl_sign_in cookie: " + head(html));
        }
        String body = "api_key=" + URLEncoder.encode(stack.apiKey(), StandardCharsets.UTF_8) + "&csrf="
                + URLEncoder.encode(unescape(csrf.group(1)), StandardCharsets.UTF_8);
        HttpResponse<byte[]> signedIn = stack.send(HttpRequest.newBuilder(URI.create(base + "/sign-in"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", "bl_sign_in=" + nonce).POST(HttpRequest.BodyPublishers.ofString(body)).build());
        String session = cookie(signedIn, "bl_session");
        if (signedIn.statusCode() != 303 || session == null || session.isEmpty()
                || !"/procedures".equals(signedIn.headers().firstValue("Location").orElse(""))) {
            throw new IllegalStateException("POST /sign-in answered " + signedIn.statusCode() + " (Location "
                    + signedIn.headers().firstValue("Location").orElse("none") + ") without a session cookie: "
                    + head(new String(signedIn.body(), StandardCharsets.UTF_8)));
        }
        return "bl_session=" + session;
    }

    /** The pages, each checked once (status, HTML, marker, its API calls' statuses) before anything is timed. */
    private static List<Page> pages(BenchStack stack, DeploymentRows rows, String cookie, Report report)
            throws Exception {
        String pid = rows.procedureId();
        String tab = "/procedures/" + pid;
        String list = "/v2/deployments?procedure_id=" + pid;
        ApiCall procedure = ApiCall.required("/v2/procedures/" + pid);

        // The first page tells how many rows a page holds (the dashboard's page-size) and where its next link goes.
        String first = fetchPage(stack, tab, cookie, rows.idAtDepth(0));
        int perPage = count(ROW, first);
        Matcher next = NEXT.matcher(first);
        if (perPage == 0 || !next.find()) {
            throw new IllegalStateException(tab + " shows " + perPage + " rows and no next link");
        }
        String nextLink = unescape(next.group(1));
        String apiLimit = "&limit=" + perPage;
        int half = rows.rows() / 2;
        String cursor = rows.idAtDepth(half);
        String inspected = rows.idAtDepth(half);
        String deployment = "/v2/deployments/" + inspected;
        inspectable(stack, inspected, report);

        List<Page> pages = new ArrayList<>();
        pages.add(new Page("/procedures", "/procedures", "href=\"" + tab + "\"",
                List.of(ApiCall.required("/v2/procedures"))));
        pages.add(new Page("Deployments tab /procedures/{id}", tab, "<tr id=\"" + rows.idAtDepth(0) + "\"",
                List.of(procedure, ApiCall.required(list + apiLimit)), new ListQuery(null, null, null, perPage)));
        pages.add(new Page("Deployments ?status=ready&environment=production", tab + "?status=ready&environment=production",
                "<tr id=\"" + rows.idAtDepth(0) + "\"",
                List.of(procedure, ApiCall.required(list + "&status=ready&environment=production" + apiLimit)),
                new ListQuery("ready", "production", null, perPage)));
        pages.add(new Page("Deployments ?status=failed (matches none)", tab + "?status=failed",
                "No deployments match these filters.",
                List.of(procedure, ApiCall.required(list + "&status=failed" + apiLimit)),
                new ListQuery("failed", null, null, perPage)));
        pages.add(new Page("Deployments, its own next link (page 2)", nextLink,
                "<tr id=\"" + rows.idAtDepth(perPage) + "\"",
                List.of(procedure, ApiCall.required(list + apiLimit + "&cursor=" + rows.idAtDepth(perPage - 1))),
                new ListQuery(null, null, rows.idAtDepth(perPage - 1), perPage)));
        pages.add(new Page(String.format(Locale.ROOT, "Deployments ?cursor= at row %,d", half), tab + "?cursor=" + cursor,
                "<tr id=\"" + rows.idAtDepth(half + 1) + "\"",
                List.of(procedure, ApiCall.required(list + apiLimit + "&cursor=" + cursor)),
                new ListQuery(null, null, cursor, perPage)));
        pages.add(new Page(String.format(Locale.ROOT, "Inspect /deployments/{id} (row %,d)", half),
                "/deployments/" + inspected, "<code>" + inspected + "</code>",
                List.of(ApiCall.required(deployment), ApiCall.required(deployment + "/logs?limit=1000"),
                        new ApiCall(deployment + "/stations", true), new ApiCall(deployment + "/runs", true),
                        new ApiCall(deployment + "/contents", true))));
        pages.add(new Page("Rollouts tab", tab + "/rollouts", "value=\"" + rows.idAtDepth(0) + "\"",
                List.of(procedure, ApiCall.required("/v2/procedures/" + pid + "/rollouts?limit=50"),
                        ApiCall.required(list + "&status=ready&environment=production&limit=20")),
                new ListQuery("ready", "production", null, 20)));

        for (Page page : pages) {
            fetchPage(stack, page.uri(), cookie, page.marker());
            Map<String, Integer> statuses = new LinkedHashMap<>();
            for (ApiCall call : page.calls()) {
                int status = stack.send(HttpRequest.newBuilder(URI.create(stack.stack().baseUrl() + call.uri()))
                        .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + stack.apiKey()).GET()
                        .build()).statusCode();
                if (status != 200 && !call.optional()) {
                    throw new IllegalStateException("the API answered " + status + " to " + call.uri() + ", a call of "
                            + page.uri());
                }
                statuses.put(call.uri(), status);
            }
            if (statuses.values().stream().anyMatch(s -> s != 200)) {
                report.note("9 " + page.name() + ": its API calls answered " + statuses
                        + " (the page shows a refused optional part as a message in its section)");
            }
        }
        // Without the session the same page must not answer: the figures above are a signed-in user's.
        HttpResponse<byte[]> anonymous = stack.send(HttpRequest.newBuilder(URI.create(stack.stack().baseUrl() + tab))
                .timeout(Duration.ofSeconds(30)).GET().build());
        if (anonymous.statusCode() == 200) {
            throw new IllegalStateException(tab + " answered 200 without a session");
        }
        report.note(String.format(Locale.ROOT, "9: checked before timing: each page 200 text/html with its marker (a"
                + " deployment id; %d rows per Deployments page), and %s without the session cookie answers %d",
                perPage, tab, anonymous.statusCode()));
        return pages;
    }

    /**
     * Makes the inspected row look like a real build: a real artifact in artifact-store (so Inspect lists its
     * contents instead of a 404) and {@link #LOG_LINES} log lines (seeded rows have none).
     */
    private static void inspectable(BenchStack stack, String id, Report report) throws Exception {
        Fleet.Artifact artifact = Fleet.uploadArtifact(stack);
        try (Connection c = stack.jdbc("benchline_deployments")) {
            try (PreparedStatement s = c.prepareStatement("update deployments set artifact_digest = ?,"
                    + " artifact_size_bytes = ?, artifact_signature = ?, artifact_key_id = ? where id = ?")) {
                s.setString(1, artifact.digest());
                s.setLong(2, artifact.size());
                s.setString(3, artifact.signature());
                s.setString(4, artifact.keyId());
                s.setString(5, id);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("insert into build_log_lines (deployment_id, number,"
                    + " timestamp, level, text) select ?, g, now() - (? - g) * interval '10 ms', 'info',"
                    + " 'Bench build step ' || g || ': collecting main.py, resolving python 3.11, writing the archive'"
                    + " from generate_series(1, ?) g")) {
                s.setString(1, id);
                s.setInt(2, LOG_LINES);
                s.setInt(3, LOG_LINES);
                s.executeUpdate();
            }
        }
        report.note("9: the inspected row " + id + " carries a real artifact uploaded to artifact-store (" + artifact.digest()
                + ", " + artifact.size() + " B, 2 files) and " + LOG_LINES + " build log lines; the other rows have neither");
    }

    /** One signed-in GET of a page; fails unless 200 HTML holding the marker. */
    private static String fetchPage(BenchStack stack, String uri, String cookie, String marker) throws Exception {
        HttpResponse<byte[]> r = stack.send(HttpRequest.newBuilder(URI.create(stack.stack().baseUrl() + uri))
                .timeout(Duration.ofSeconds(60)).header("Cookie", cookie).header("Accept", "text/html").GET().build());
        String html = new String(r.body(), StandardCharsets.UTF_8);
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (r.statusCode() != 200 || !type.startsWith("text/html") || !html.contains(marker)) {
            throw new IllegalStateException("GET " + uri + " answered " + r.statusCode() + " " + type + " without "
                    + marker + ": " + head(html));
        }
        return html;
    }

    private static String cookie(HttpResponse<?> response, String name) {
        for (String header : response.headers().allValues("Set-Cookie")) {
            if (header.startsWith(name + "=")) {
                int end = header.indexOf(';');
                return header.substring(name.length() + 1, end < 0 ? header.length() : end);
            }
        }
        return null;
    }

    private static int count(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** Qute escapes attribute values; a link or token read from the HTML is used as the browser would. */
    static String unescape(String html) {
        return html.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&amp;", "&");
    }

    private static String head(String text) {
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() > 300 ? flat.substring(0, 300) + " …" : flat;
    }
}
