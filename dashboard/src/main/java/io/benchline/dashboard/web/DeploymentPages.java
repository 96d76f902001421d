package io.benchline.dashboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.dashboard.api.ApiProblem;
import io.benchline.dashboard.api.BenchlineApi;
import io.benchline.dashboard.session.CurrentSession;
import io.benchline.dashboard.session.Session;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import static io.benchline.dashboard.api.BenchlineApi.segment;

/** A deployment's Inspect page, its file viewer, and the row actions (each a POST with the session's CSRF token). */
@Path("/deployments")
@Produces(MediaType.TEXT_HTML)
public class DeploymentPages {
    /** Log lines the page shows at first; the live stream sends the rest. */
    static final int LOG_PAGE = 1000;

    private final BenchlineApi api;
    private final CurrentSession current;

    public DeploymentPages(BenchlineApi api, CurrentSession current) {
        this.api = api;
        this.current = current;
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance inspect(Views.User user, Views.Deployment deployment,
                List<Views.LogLine> logs, long lastLine, boolean follow, List<Views.Station> stations,
                String stationsProblem, List<Views.Run> runs, String runsProblem, List<Views.TreeEntry> files,
                String filesProblem, String notice);

        static native TemplateInstance file(Views.User user, Views.Deployment deployment, String path,
                String contentType, String text, String note);
    }

    /** Inspect: the deployment, the first page of its log, its stations, runs and contents, asked for at once. */
    @GET
    @Path("/{id}")
    public TemplateInstance inspect(@PathParam("id") String id, @RestQuery String done) {
        Session session = current.require();
        String base = "/v2/deployments/" + segment(id);
        CompletableFuture<JsonNode> deployment = api.getAsync(session.apiKey(), base);
        CompletableFuture<JsonNode> logs = api.getAsync(session.apiKey(), base + "/logs?limit=" + LOG_PAGE);
        CompletableFuture<JsonNode> stations = api.getAsync(session.apiKey(), base + "/stations");
        CompletableFuture<JsonNode> runs = api.getAsync(session.apiKey(), base + "/runs");
        CompletableFuture<JsonNode> contents = api.getAsync(session.apiKey(), base + "/contents");
        Views.Deployment d = Views.Deployment.of(BenchlineApi.await(deployment), session.role());

        List<Views.LogLine> lines = new ArrayList<>();
        BenchlineApi.await(logs).path("data").forEach(l -> lines.add(Views.LogLine.of(l)));
        long last = lines.isEmpty() ? 0 : lines.get(lines.size() - 1).number();
        Part<Views.Station> stationPart = part(stations, Views.Station::of);
        Part<Views.Run> runPart = part(runs, Views.Run::of);
        List<Views.TreeEntry> files = List.of();
        String filesProblem = null;
        if (d.status().equals("ready")) {
            try {
                files = Views.TreeEntry.tree(BenchlineApi.await(contents).path("data"));
            } catch (ApiProblem problem) {
                filesProblem = message(problem);
            }
        } else {
            contents.cancel(true);
            filesProblem = "The contents are there once the build is ready.";
        }
        // A live build streams on; a finished log longer than the first page streams its rest and ends.
        boolean follow = d.live() || lines.size() >= LOG_PAGE;
        return Templates.inspect(Pages.user(current), d, lines, last, follow, stationPart.items(),
                stationPart.problem(), runPart.items(), runPart.problem(), files, filesProblem, Pages.done(done));
    }

    /** One file of the artifact: text shown as text (up to max-viewed-file-bytes), anything else only described. */
    @GET
    @Path("/{id}/files/{path: .+}")
    public TemplateInstance file(@PathParam("id") String id, @PathParam("path") String path) {
        Session session = current.require();
        CompletableFuture<JsonNode> deployment = api.getAsync(session.apiKey(), "/v2/deployments/" + segment(id));
        String encoded = String.join("/", Arrays.stream(path.split("/")).map(BenchlineApi::segment).toList());
        BenchlineApi.File file = api.file(session.apiKey(), "/v2/deployments/" + segment(id) + "/contents/"
                + encoded);
        Views.Deployment d = Views.Deployment.of(BenchlineApi.await(deployment), session.role());
        String text = textOf(file.bytes());
        String note;
        if (text == null) {
            note = "Not text (" + file.contentType() + (file.length() >= 0 ? ", " + file.length() + " bytes" : "")
                    + "): not shown.";
        } else {
            note = file.truncated() ? "Only the first " + file.bytes().length + " bytes are shown." : null;
        }
        return Templates.file(Pages.user(current), d, path, file.contentType(), text, note);
    }

    /** Promote to production: a new production deployment of the same artifact; its page next. */
    @POST
    @Path("/{id}/promote")
    public Response promote(@PathParam("id") String id, @RestForm String csrf, @RestForm String note) {
        Session session = current.requirePost(csrf);
        JsonNode created = api.post(session.apiKey(), "/v2/deployments/" + segment(id) + "/promote",
                note(note));
        return Pages.seeOther("/deployments/" + segment(created.path("id").asText()));
    }

    /** Rollback: the procedure's production stations go back to this deployment and auto-push pauses. */
    @POST
    @Path("/{id}/rollback")
    public Response rollback(@PathParam("id") String id, @RestForm String csrf, @RestForm String note) {
        Session session = current.requirePost(csrf);
        String procedureId = procedureOf(session, id);
        Map<String, Object> body = note(note);
        body.put("deployment_id", id);
        api.post(session.apiKey(), "/v2/procedures/" + segment(procedureId) + "/rollback", body);
        return Pages.seeOther("/procedures/" + segment(procedureId) + "?done=rolled-back");
    }

    /** Re-run: a new deployment builds the failed one's commit again; its page next. */
    @POST
    @Path("/{id}/rerun")
    public Response rerun(@PathParam("id") String id, @RestForm String csrf) {
        Session session = current.requirePost(csrf);
        JsonNode created = api.post(session.apiKey(), "/v2/deployments/" + segment(id) + "/rerun", Map.of());
        return Pages.seeOther("/deployments/" + segment(created.path("id").asText()));
    }

    /** Delete for good; refused by the API (shown with the stations that block it) while any pointer names it. */
    @POST
    @Path("/{id}/delete")
    public Response delete(@PathParam("id") String id, @RestForm String csrf) {
        Session session = current.requirePost(csrf);
        String procedureId = procedureOf(session, id);
        api.delete(session.apiKey(), "/v2/deployments/" + segment(id));
        return Pages.seeOther("/procedures/" + segment(procedureId) + "?done=deleted");
    }

    /** Pin to stations: one call for all of them, all or nothing; station ids separated by commas or spaces. */
    @POST
    @Path("/{id}/pin")
    public Response pin(@PathParam("id") String id, @RestForm String csrf, @RestForm String stations,
            @RestForm String note) {
        Session session = current.requirePost(csrf);
        Map<String, Object> body = note(note);
        body.put("deployment_id", id);
        body.put("station_ids", stations == null ? List.of()
                : Arrays.stream(stations.split("[\\s,]+")).filter(s -> !s.isEmpty()).toList());
        api.post(session.apiKey(), "/v2/stations/pins", body);
        return Pages.seeOther("/deployments/" + segment(id) + "?done=pinned");
    }

    private String procedureOf(Session session, String deploymentId) {
        return api.get(session.apiKey(), "/v2/deployments/" + segment(deploymentId)).path("procedure").path("id")
                .asText();
    }

    private static Map<String, Object> note(String note) {
        Map<String, Object> body = new HashMap<>();
        if (Pages.blankToNull(note) != null) {
            body.put("note", note.strip());
        }
        return body;
    }

    /** A part of a page that may fail on its own: shown as a message in its section, the rest of the page stays. */
    private record Part<T>(List<T> items, String problem) {
    }

    private static <T> Part<T> part(CompletableFuture<JsonNode> answer, Function<JsonNode, T> map) {
        try {
            List<T> items = new ArrayList<>();
            BenchlineApi.await(answer).path("data").forEach(n -> items.add(map.apply(n)));
            return new Part<>(items, null);
        } catch (ApiProblem problem) {
            return new Part<>(List.of(), message(problem));
        }
    }

    private static String message(ApiProblem problem) {
        return problem.title() + (problem.detail().isEmpty() ? "" : ": " + problem.detail());
    }

    /** The bytes as UTF-8 text, or null when they are not (a binary file); a cut last character is dropped. */
    private static String textOf(byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes, 0, wholeCharacters(bytes))).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static int wholeCharacters(byte[] bytes) {
        int end = bytes.length;
        int back = 0;
        while (back < 3 && end - back - 1 >= 0 && (bytes[end - back - 1] & 0xC0) == 0x80) {
            back++;
        }
        if (end - back - 1 >= 0 && (bytes[end - back - 1] & 0xC0) == 0xC0) {
            int need = (bytes[end - back - 1] & 0xE0) == 0xC0 ? 1 : (bytes[end - back - 1] & 0xF0) == 0xE0 ? 2 : 3;
            return need > back ? end - back - 1 : end;
        }
        return end;
    }
}
