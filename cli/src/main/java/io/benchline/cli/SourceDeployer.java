package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.cli.source.Packer;
import io.benchline.cli.source.SourceCommit;
import io.benchline.cli.source.SourceTree;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.benchline.cli.ApiClient.segment;
import static io.benchline.cli.Fields.text;
import static io.benchline.cli.SizeConverter.human;

/**
 * What {@code deploy} and {@code dev} share: pack a directory into a temporary zip, announce it
 * ({@code POST /v2/uploads}), PUT it to the presigned URL that answers, create a deployment of the upload
 * ({@code POST /v2/deployments}), and follow its build to the end. Progress goes to standard error (bars on a
 * terminal, a line per step elsewhere); the build log lines go to standard output unless the output is JSON.
 */
final class SourceDeployer {
    /** A finished build: its status, and the deployment as {@code GET /v2/deployments/{id}} answered it. */
    record Build(String status, String body, JsonNode deployment) {
        boolean ready() {
            return "ready".equals(status);
        }

        String failureReason() {
            return text(deployment, "failure_reason", null);
        }
    }

    private final ApiClient client;
    private final SourceOptions source;
    private final String procedureId;
    private final ProgressBar progress;
    private final PrintWriter out;
    private final boolean printLogs;
    private final Pause pause;
    private volatile Path inFlight;

    SourceDeployer(ApiClient client, SourceOptions source, String procedureId, ProgressBar progress, PrintWriter out,
                   boolean printLogs, Pause pause) {
        this.client = client;
        this.source = source;
        this.procedureId = procedureId;
        this.progress = progress;
        this.out = out;
        this.printLogs = printLogs;
        this.pause = pause;
    }

    /** Packs and uploads {@code tree} and creates a deployment of it; answers the created deployment as sent. */
    String deploy(SourceTree tree, String environment) throws IOException {
        SourceCommit commit = tree.commit(source.message);
        Path zip = Files.createTempFile("benchline-", ".zip");
        zip.toFile().deleteOnExit(); // also after Ctrl-C
        inFlight = zip;
        try {
            Packer.Packed packed = pack(tree, zip);
            String uploadId = upload(packed);
            return client.post("/v2/deployments", new Requests.NewDeployment(procedureId, uploadId, environment,
                    new Requests.Commit(commit.sha(), commit.message(), commit.author())));
        } finally {
            inFlight = null;
            Files.deleteIfExists(zip);
        }
    }

    /** Deletes the zip of a deploy in progress, for a process that ends without running its finally blocks. */
    void discard() {
        Path zip = inFlight;
        if (zip != null) {
            zip.toFile().delete();
        }
    }

    /** Follows the build log until the build ends, then reads the deployment's final state. */
    Build follow(String deploymentId, String status) throws IOException {
        int[] lines = {0};
        progress.status("build", status + ", 0 log lines");
        BuildLog.End end = new BuildLog(client, pause, progress::note).follow(deploymentId, line -> {
            lines[0]++;
            progress.status("build", status + ", " + lines[0] + " log lines");
            if (printLogs) {
                progress.println(out, BuildLog.format(line));
            }
        });
        progress.finish("build " + end.status() + " after " + lines[0] + " log lines");
        String body = client.get("/v2/deployments/" + segment(deploymentId));
        JsonNode deployment = ApiCommand.parse(body);
        return new Build(text(deployment, "status", end.status()), body, deployment);
    }

    /** The deployment's address in the API. */
    String url(String deploymentId) {
        return client.baseUrl() + "/v2/deployments/" + segment(deploymentId);
    }

    private Packer.Packed pack(SourceTree tree, Path zip) throws IOException {
        Packer packer = new Packer(tree, source.maxSize, new Packer.Listener() {
            @Override
            public void skipped(String name, String why) {
                progress.note("skipped " + name + ": " + why);
            }

            @Override
            public void packing(int files, int totalFiles, long bytes, long totalBytes) {
                progress.update("packing", bytes, totalBytes, files + "/" + totalFiles + " files  " + human(bytes)
                        + "/" + human(totalBytes));
            }
        });
        try {
            Packer.Packed packed = packer.pack(zip);
            progress.finish("packed " + packed.files() + " files (" + human(packed.contentBytes()) + ") from "
                    + tree.dir() + " into a " + human(packed.size()) + " zip");
            return packed;
        } catch (Packer.Refused refused) {
            progress.clear();
            throw new UsageError(refused.getMessage(), refused);
        }
    }

    private String upload(Packer.Packed packed) throws IOException {
        JsonNode upload = ApiCommand.parse(client.post("/v2/uploads",
                new Requests.NewUpload(packed.size(), packed.sha256())));
        String id = text(upload, "id", null);
        String url = text(upload, "url", null);
        if (id == null || url == null) {
            throw new IOException("POST /v2/uploads answered no id or url: " + ApiClient.abbreviate(upload.toString()));
        }
        String method = text(upload, "method", "PUT");
        if (!method.equalsIgnoreCase("PUT")) {
            throw new IOException("POST /v2/uploads asks for an upload by " + method + "; this benchline sends PUT");
        }
        long size = packed.size();
        progress.update("uploading", 0, size, "0 B/" + human(size));
        client.putPresigned(url, packed.zip(), sent -> progress.update("uploading", sent, size, human(sent) + "/"
                + human(size)));
        progress.finish("uploaded " + human(size) + " (" + id + ")");
        return id;
    }
}
