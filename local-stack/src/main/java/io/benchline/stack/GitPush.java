package io.benchline.stack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Sends what GitHub sends on a push: a {@code push} webhook for a local repository's branch head,
 * signed with {@code X-Hub-Signature-256}. The demo repository's post-commit hook runs it, so a
 * {@code git commit} in the demo folder deploys like a push to GitHub would.
 */
public final class GitPush {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String ZERO = "0".repeat(40);

    private GitPush() {
    }

    /** {@code GitPush <base url> <hook id> <secret> <repo dir> <full name>}: sends a push for HEAD. */
    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: GitPush <base url> <hook id> <secret> <repo dir> <owner/name>");
            System.exit(2);
        }
        Path repo = Path.of(args[3]);
        String branch = git(repo, "symbolic-ref", "--short", "HEAD").trim();
        String after = git(repo, "rev-parse", "HEAD").trim();
        String before;
        try {
            before = git(repo, "rev-parse", "HEAD~1").trim();
        } catch (IllegalStateException e) {
            before = ZERO;
        }
        byte[] payload = payload(repo, args[4], "file://" + repo.toAbsolutePath(), branch, before, after);
        HttpResponse<String> response = send(args[0], args[1], args[2], payload, UUID.randomUUID().toString());
        System.out.println("benchline: push webhook for " + branch + " @ " + after.substring(0, 7) + " → "
                + response.statusCode() + " " + response.body());
    }

    /** A GitHub {@code push} payload for {@code after} on {@code branch}, in GitHub's field names. */
    public static byte[] payload(Path repo, String fullName, String cloneUrl, String branch, String before,
            String after) {
        String[] meta = git(repo, "log", "-1", "--format=%an%x00%ae%x00%aI%x00%B", after).split("\u0000", 4);
        ObjectNode commit = JSON.createObjectNode();
        commit.put("id", after);
        commit.put("tree_id", git(repo, "rev-parse", after + "^{tree}").trim());
        commit.put("distinct", true);
        commit.put("message", meta[3].strip());
        commit.put("timestamp", OffsetDateTime.parse(meta[2].trim()).toString());
        commit.put("url", "https://github.com/" + fullName + "/commit/" + after);
        commit.putObject("author").put("name", meta[0]).put("email", meta[1]);
        commit.putObject("committer").put("name", meta[0]).put("email", meta[1]);
        commit.putArray("added");
        commit.putArray("removed");
        commit.putArray("modified");

        ObjectNode root = JSON.createObjectNode();
        root.put("ref", "refs/heads/" + branch);
        root.put("before", before);
        root.put("after", after);
        root.put("created", before.equals(ZERO));
        root.put("deleted", false);
        root.put("forced", false);
        root.putNull("base_ref");
        root.put("compare", "https://github.com/" + fullName + "/compare/" + before.substring(0, 12) + "..."
                + after.substring(0, 12));
        ArrayNode commits = root.putArray("commits");
        commits.add(commit);
        root.set("head_commit", commit);
        ObjectNode repository = root.putObject("repository");
        repository.put("id", Math.abs(fullName.hashCode()));
        repository.put("name", fullName.substring(fullName.indexOf('/') + 1));
        repository.put("full_name", fullName);
        repository.put("private", true);
        repository.putObject("owner").put("name", fullName.substring(0, fullName.indexOf('/')))
                .put("login", fullName.substring(0, fullName.indexOf('/')));
        repository.put("html_url", "https://github.com/" + fullName);
        repository.put("clone_url", cloneUrl);
        repository.put("git_url", "git://github.com/" + fullName + ".git");
        repository.put("ssh_url", "git@github.com:" + fullName + ".git");
        repository.put("default_branch", "main");
        repository.put("master_branch", "main");
        root.putObject("pusher").put("name", meta[0]).put("email", meta[1]);
        root.putObject("sender").put("login", meta[0]).put("type", "User");
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static HttpResponse<String> send(String baseUrl, String hookId, String secret, byte[] payload,
            String deliveryId) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/webhooks/github/" + hookId))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("User-Agent", "GitHub-Hookshot/benchline-local")
                .header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", deliveryId)
                .header("X-GitHub-Hook-ID", "1")
                .header("X-Hub-Signature-256", "sha256=" + hmacSha256(secret, payload))
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
                .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    public static String hmacSha256(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs git in a folder and returns its output; fails with git's own message. */
    public static String git(Path repo, String... args) {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", repo.toString()));
        cmd.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("git " + String.join(" ", args) + " failed: " + out.strip());
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("git is not installed or cannot run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
