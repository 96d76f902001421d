package io.benchline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.events.DeploymentEvent;
import io.benchline.stack.GitPush;
import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Push → ready: a real procedure repository (procedure.yaml + main.py in a local git repository, as the demo
 * makes), one signed push webhook per commit through the gateway, timed from the webhook's 202 to the
 * deployment's {@code ready} event on deployment.events (consumed directly). Baseline: the raw build of the
 * same commits in this process: JGit clone, a deterministic zip (java.util.zip, sorted entries, fixed
 * times, manifest first), one PUT to S3Proxy with the MinIO client.
 */
final class PushReadyBench {
    static final String FULL_NAME = "benchline-bench/push-ready";

    private PushReadyBench() {
    }

    record Ready(String deploymentId, String change, long atNanos) {
    }

    static void run(BenchStack stack, BenchOptions o, Report report) throws Exception {
        String section = "4. push → ready (" + o.pushes + " pushes, one at a time)";
        Path repo = stack.dir().resolve("bench-repos/push-ready");
        createRepository(repo, "bench-push-ready");
        String cloneUrl = "file://" + repo.toAbsolutePath();
        JsonNode p = createProcedure(stack, "bench-push-ready", cloneUrl, FULL_NAME);
        String procedureId = p.path("id").asText();
        String hookId = p.path("webhook").path("id").asText();
        String secret = p.path("webhook").path("secret").asText();

        Map<String, Ready> ready = new ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread consumer = new Thread(() -> FinalDeploymentEvents.follow(stack, stop, (e, at) -> {
            if (procedureId.equals(e.procedureId()) && e.commitSha() != null) {
                ready.putIfAbsent(e.commitSha(), new Ready(e.deploymentId(), e.change(), at));
            }
        }), "bench-deployment-events");
        consumer.setDaemon(true);
        consumer.start();
        Thread.sleep(1500); // the consumer is assigned and at the end of the topic

        Latencies pushToReady = new Latencies();
        List<String> shas = new ArrayList<>();
        String before = GitPush.git(repo, "rev-parse", "HEAD").trim();
        int failed = 0;
        BenchMain.progress("push → ready: " + o.pushes + " pushes");
        try {
            for (int i = 1; i <= o.pushes; i++) {
                Files.writeString(repo.resolve("main.py"), "# bench push " + i + "\n", java.nio.file.StandardOpenOption.APPEND);
                GitPush.git(repo, "commit", "-qam", "Bench push " + i);
                String after = GitPush.git(repo, "rev-parse", "HEAD").trim();
                byte[] payload = GitPush.payload(repo, FULL_NAME, cloneUrl, "main", before, after);
                HttpResponse<String> response = GitPush.send(stack.stack().baseUrl(), hookId, secret, payload,
                        UUID.randomUUID().toString());
                long accepted = System.nanoTime();
                if (response.statusCode() != 202) {
                    throw new IllegalStateException("push webhook answered " + response.statusCode() + ": "
                            + response.body());
                }
                long deadline = accepted + Duration.ofSeconds(60).toNanos();
                Ready r;
                while ((r = ready.get(after)) == null && System.nanoTime() < deadline) {
                    Thread.sleep(2);
                }
                if (r == null) {
                    report.note("4: push " + i + " (" + after.substring(0, 7) + ") not ready after 60 s");
                    failed++;
                } else if (!DeploymentEvent.READY.equals(r.change())) {
                    report.note("4: push " + i + " ended " + r.change() + " (" + r.deploymentId() + ")");
                    failed++;
                } else {
                    pushToReady.recordNanos(Math.max(0, r.atNanos() - accepted));
                    shas.add(after);
                }
                before = after;
            }
        } finally {
            stop.set(true);
            consumer.join(5_000);
        }
        if (!shas.isEmpty()) {
            Ready last = ready.get(shas.get(shas.size() - 1));
            JsonNode d = stack.api("GET", "/v2/deployments/" + last.deploymentId(), null);
            if (!"ready".equals(d.path("status").asText())) {
                report.note("4: GET /v2/deployments/" + last.deploymentId() + " reads " + d.path("status").asText()
                        + " after its ready event");
            }
        }

        BenchMain.progress("push → ready: raw builds of the same commits");
        Latencies raw = rawBuilds(stack, cloneUrl, shas.isEmpty() ? List.of(before) : shas);
        report.row(section, "push 202 → deployment.events ready, p50 / p95",
                Report.ms(pushToReady.p50()) + " / " + Report.ms(pushToReady.p95()),
                Report.ms(raw.p50()) + " / " + Report.ms(raw.p95()), pushToReady.p50() / raw.p50(), "p50 ≤ build + 500 ms");
        if (failed > 0) {
            report.note("4: " + failed + " of " + o.pushes + " pushes did not reach ready");
        }
        report.note("4: baseline = in this process, per pushed commit: JGit clone of the same file:// repository,"
                + " deterministic zip (java.util.zip: manifest first, entries sorted, fixed times), one PUT to"
                + " S3Proxy with the MinIO client; ratio on p50.");
    }

    /** A GitHub procedure of a file:// repository, production branch main, auto-push on. */
    static JsonNode createProcedure(BenchStack stack, String name, String cloneUrl, String fullName) throws Exception {
        return stack.api("POST", "/v2/procedures", Map.of("name", name,
                "repository", Map.of("provider", "github", "clone_url", cloneUrl, "full_name", fullName),
                "production_branch", "main", "auto_push", true));
    }

    /** A procedure repository (procedure.yaml, main.py) with one commit on main. */
    static void createRepository(Path repo, String name) throws Exception {
        Files.createDirectories(repo);
        Files.writeString(repo.resolve("procedure.yaml"), "name: " + name + """

                runtime: python 3.11
                entry_point: main.py
                """);
        Files.writeString(repo.resolve("main.py"), """
                volts = 3.30
                print(f"rail 3V3 = {volts:.2f} V")
                raise SystemExit(0 if 3.20 <= volts <= 3.40 else 1)
                """);
        GitPush.git(repo, "init", "-q", "-b", "main");
        GitPush.git(repo, "config", "user.name", "Benchline Bench");
        GitPush.git(repo, "config", "user.email", "bench@benchline.local");
        GitPush.git(repo, "add", "-A");
        GitPush.git(repo, "commit", "-q", "-m", "First version");
    }

    private static Latencies rawBuilds(BenchStack stack, String cloneUrl, List<String> shas) throws Exception {
        Properties credentials = new Properties();
        try (var in = Files.newBufferedReader(stack.dir().resolve("credentials.properties"))) {
            credentials.load(in);
        }
        MinioClient minio = MinioClient.builder().endpoint("http://127.0.0.1:" + stack.stack().options().s3Port())
                .credentials(credentials.getProperty("s3.access-key"), credentials.getProperty("s3.secret-key"))
                .region("us-east-1").build();
        String bucket = "bench-raw";
        if (!minio.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
            minio.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
        }
        Latencies latencies = new Latencies();
        Path work = stack.dir().resolve("bench-raw-builds");
        Files.createDirectories(work);
        for (int round = -1; round < shas.size(); round++) { // round -1: warm-up, not recorded
            String sha = shas.get(Math.max(0, round));
            Path dir = Files.createTempDirectory(work, "clone");
            long t0 = System.nanoTime();
            byte[] zip;
            try (Git git = Git.cloneRepository().setURI(cloneUrl).setDirectory(dir.toFile()).setNoCheckout(true)
                    .call()) {
                zip = deterministicZip(git.getRepository(), sha);
            }
            String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(zip));
            minio.putObject(PutObjectArgs.builder().bucket(bucket).object("artifacts/sha256/" + hex + ".zip")
                    .stream(new ByteArrayInputStream(zip), zip.length, -1).contentType("application/zip").build());
            if (round >= 0) {
                latencies.recordNanos(System.nanoTime() - t0);
            }
        }
        return latencies;
    }

    /** manifest.json first, then the commit's files sorted by path, every entry dated 1980-01-01 00:00:02. */
    static byte[] deterministicZip(Repository repository, String sha) throws Exception {
        Map<String, byte[]> files = new TreeMap<>();
        try (RevWalk walk = new RevWalk(repository)) {
            RevCommit commit = walk.parseCommit(ObjectId.fromString(sha));
            try (TreeWalk tree = new TreeWalk(repository)) {
                tree.addTree(commit.getTree());
                tree.setRecursive(true);
                while (tree.next()) {
                    files.put(tree.getPathString(), repository.open(tree.getObjectId(0)).getBytes());
                }
            }
        }
        StringBuilder manifest = new StringBuilder("{\"schema_version\":1,\"commit\":{\"sha\":\"" + sha
                + "\"},\"files\":[");
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        boolean first = true;
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            manifest.append(first ? "" : ",").append("{\"path\":").append(BenchStack.JSON.writeValueAsString(f.getKey()))
                    .append(",\"size\":").append(f.getValue().length).append(",\"sha256\":\"")
                    .append(HexFormat.of().formatHex(digest.digest(f.getValue()))).append("\"}");
            first = false;
        }
        manifest.append("]}");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            add(zip, "manifest.json", manifest.toString().getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                add(zip, f.getKey(), f.getValue());
            }
        }
        return out.toByteArray();
    }

    private static void add(ZipOutputStream zip, String name, byte[] bytes) throws Exception {
        ZipEntry entry = new ZipEntry(name);
        entry.setTimeLocal(LocalDateTime.of(1980, 1, 1, 0, 0, 2));
        zip.putNextEntry(entry);
        zip.write(bytes);
        zip.closeEntry();
    }
}
