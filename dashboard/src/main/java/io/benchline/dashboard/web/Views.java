package io.benchline.dashboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.dashboard.session.Role;
import io.quarkus.qute.TemplateData;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;

/** What the pages show, mapped explicitly from the API's JSON (snake_case), so templates never see raw JSON. */
final class Views {
    private static final DateTimeFormatter UTC_TEXT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'",
            Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final Set<String> FINAL = Set.of("ready", "failed");

    private Views() {
    }

    /** A time: ISO-8601 UTC for {@code <time datetime>}, and the same in words; the page's script localizes it. */
    @TemplateData
    record Stamp(String iso, String text) {
        static Stamp of(JsonNode value) {
            if (!value.isTextual()) {
                return null;
            }
            try {
                Instant at = Instant.parse(value.asText());
                return new Stamp(at.toString(), UTC_TEXT.format(at));
            } catch (DateTimeParseException e) {
                return null;
            }
        }
    }

    /** The signed-in user as every page needs it: role, the forms' CSRF token, which actions show. */
    @TemplateData
    record User(String role, String csrf, boolean member, boolean admin) {
        static User of(Role role, String csrf) {
            return new User(role.wire(), csrf, role.member(), role.admin());
        }
    }

    @TemplateData
    record Procedure(String id, String name, String repository, String productionBranch, boolean autoPush,
            boolean paused, String pausedReason, String rollbackDeploymentId) {
        static Procedure of(JsonNode p) {
            JsonNode paused = p.path("paused");
            return new Procedure(p.path("id").asText(), p.path("name").asText(),
                    text(p.path("repository"), "full_name", text(p.path("repository"), "clone_url", null)),
                    text(p, "production_branch", null), p.path("auto_push").asBoolean(),
                    paused.isObject(), text(paused, "reason", null), text(paused, "rollback_deployment_id", null));
        }
    }

    /** A deployment, as a row of the Deployments tab and on its Inspect page, with the actions the role may take. */
    @TemplateData
    record Deployment(String id, String procedureId, String procedureName, String status, boolean live,
            String sha, String shortSha, String message, String author, String branch, String environment,
            String trigger, String buildDuration, String artifactSize, long activeStations, Stamp created,
            Stamp started, Stamp ended, String platform, String language, String runtimeVersion, String entryPoint,
            String digest, String keyId, String failureReason, String promotedFrom, String retryOf,
            boolean reconciled, boolean canPromote, boolean canRollback, boolean canRerun, boolean canDelete,
            boolean canPin) {
        static Deployment of(JsonNode d, Role role) {
            String status = d.path("status").asText();
            String environment = text(d, "environment", "");
            boolean ready = status.equals("ready");
            String sha = text(d.path("commit"), "sha", null);
            String message = text(d.path("commit"), "message", null);
            return new Deployment(d.path("id").asText(), text(d.path("procedure"), "id", ""),
                    text(d.path("procedure"), "name", ""), status, !FINAL.contains(status), sha,
                    sha == null ? null : sha.substring(0, Math.min(7, sha.length())),
                    message == null ? null : message.lines().findFirst().orElse(""),
                    text(d.path("commit"), "author", null), text(d.path("commit"), "branch", null), environment,
                    text(d, "trigger", null), duration(d.path("build_duration_ms")),
                    size(d.path("artifact_size_bytes")), d.path("active_stations").asLong(),
                    Stamp.of(d.path("created_at")), Stamp.of(d.path("started_at")), Stamp.of(d.path("ended_at")),
                    text(d, "platform", null), text(d, "language", null), text(d, "runtime_version", null),
                    text(d, "entry_point", null), text(d.path("artifact"), "digest", null),
                    text(d.path("artifact"), "key_id", null), text(d, "failure_reason", null),
                    text(d, "promoted_from", null), text(d, "retry_of", null), d.path("reconciled").asBoolean(),
                    role.admin() && ready && environment.equals("preview"),
                    role.admin() && ready && environment.equals("production"),
                    role.member() && status.equals("failed"),
                    role.admin() && FINAL.contains(status),
                    role.member() && ready);
        }
    }

    @TemplateData
    record LogLine(long number, Stamp at, String level, String text) {
        static LogLine of(JsonNode l) {
            return new LogLine(l.path("number").asLong(), Stamp.of(l.path("timestamp")), Views.text(l, "level", ""),
                    l.path("text").asText(""));
        }
    }

    @TemplateData
    record Station(String id, long pointerVersion, Stamp updated) {
        static Station of(JsonNode s) {
            return new Station(s.path("station_id").asText(), s.path("pointer_version").asLong(),
                    Stamp.of(s.path("updated_at")));
        }
    }

    @TemplateData
    record Run(String id, String stationId, String outcome, String serialNumber, Stamp started, String duration) {
        static Run of(JsonNode r) {
            return new Run(r.path("run_id").asText(), r.path("station_id").asText(), text(r, "outcome", "running"),
                    text(r, "serial_number", null), Stamp.of(r.path("started_at")), Views.duration(r.path("duration_ms")));
        }
    }

    /** One line of the contents tree: a folder or a file, at its depth, in path order. */
    @TemplateData
    record TreeEntry(String name, String path, int depth, boolean folder, String size) {
        /** The files of {@code GET /v2/deployments/{id}/contents} as a tree, folders before the files in them. */
        static List<TreeEntry> tree(JsonNode files) {
            Folder root = new Folder();
            for (JsonNode f : files) {
                String path = f.path("path").asText();
                String[] parts = path.split("/");
                Folder at = root;
                for (int i = 0; i < parts.length - 1; i++) {
                    at = at.folders.computeIfAbsent(parts[i], k -> new Folder());
                }
                at.files.put(parts[parts.length - 1], new TreeEntry(parts[parts.length - 1], path,
                        parts.length - 1, false, Views.size(f.path("size"))));
            }
            List<TreeEntry> out = new ArrayList<>();
            root.flatten("", 0, out);
            return out;
        }

        private static final class Folder {
            final TreeMap<String, Folder> folders = new TreeMap<>();
            final TreeMap<String, TreeEntry> files = new TreeMap<>();

            void flatten(String prefix, int depth, List<TreeEntry> out) {
                folders.forEach((name, folder) -> {
                    out.add(new TreeEntry(name, prefix + name, depth, true, null));
                    folder.flatten(prefix + name + "/", depth + 1, out);
                });
                out.addAll(files.values());
            }
        }
    }

    /** A choice of a filter; {@code value} empty for "all". */
    @TemplateData
    record Option(String value, String label, boolean selected) {
        static List<Option> of(List<String> values, String allLabel, String current) {
            List<Option> options = new ArrayList<>();
            options.add(new Option("", allLabel, current == null || current.isBlank()));
            values.forEach(v -> options.add(new Option(v, v, v.equals(current))));
            return options;
        }
    }

    /** An API problem as a message: what went wrong, and where to go on from. */
    @TemplateData
    record Problem(int status, String title, String detail, List<String> errors, List<String> stations,
            String back) {
    }

    static String duration(JsonNode millis) {
        if (!millis.isNumber()) {
            return null;
        }
        long ms = millis.asLong();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        return ms / 60_000 + " min " + ms % 60_000 / 1000 + " s";
    }

    static String size(JsonNode bytes) {
        if (!bytes.isNumber()) {
            return null;
        }
        long n = bytes.asLong();
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = n;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.path(field);
        return value.isTextual() ? value.asText() : fallback;
    }
}
