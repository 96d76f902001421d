package io.benchline.deployments.api;

import io.benchline.common.api.Problem;
import io.benchline.common.api.ProblemException;
import io.benchline.common.auth.Role;
import io.benchline.deployments.app.Environments;
import io.benchline.deployments.app.ProcedureSpec;
import io.benchline.deployments.app.ReconcileConfig;
import io.benchline.deployments.model.BranchPatterns;
import io.benchline.deployments.model.GitRefs;
import io.benchline.repositories.CloneUrlPolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Checks request bodies and reports every bad field at once, as a 400 problem with field errors. */
final class RequestValidation {
    static final Set<String> PROVIDERS = Set.of("github", "gitlab");
    static final int MAX_NAME = 100;
    static final int MAX_COMMIT_MESSAGE = 10_000;
    static final int MAX_URL = 2048;
    static final int MAX_EXCLUDED = 100;
    static final int MAX_TOKEN = 4096;
    static final int MAX_PRIVATE_KEY = 16384;

    private RequestValidation() {
    }

    static ProcedureSpec newProcedure(ProcedureRequest body, ReconcileConfig limits) {
        if (body == null) {
            throw ProblemException.invalid("body", "a JSON object is required");
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        checkName(body.name(), true, errors);
        ProcedureRequest.Repository repo = body.repository();
        if (repo == null) {
            // No connected repository: deployments come from the CLI's uploads until one is connected (PATCH).
            if (body.reconcile() != null && Boolean.TRUE.equals(body.reconcile().enabled())) {
                errors.add(new Problem.FieldError("reconcile.enabled", "needs a repository to reconcile"));
            }
        } else {
            checkProvider(repo.provider(), true, errors);
            checkCloneUrl(repo.cloneUrl(), true, errors);
            checkFullName(repo.fullName(), errors);
            checkCredentials(repo.credentials(), false, errors);
        }
        checkBranch(body.productionBranch(), errors);
        checkExcluded(body.excludedBranches(), errors);
        ProcedureSpec.Reconcile reconcile = reconcile(body.reconcile(), limits, errors);
        fail(errors);
        if (repo == null) {
            return new ProcedureSpec(body.name().trim(), null, null, null, body.productionBranch(), body.autoPush(),
                    body.excludedBranches(), null, reconcile);
        }
        return new ProcedureSpec(body.name().trim(), repo.provider().toLowerCase(Locale.ROOT), repo.cloneUrl().trim(),
                repo.fullName(), body.productionBranch(), body.autoPush(), body.excludedBranches(),
                credentials(repo.credentials()), reconcile);
    }

    static ProcedureSpec procedureChange(ProcedureRequest body, ReconcileConfig limits) {
        if (body == null) {
            throw ProblemException.invalid("body", "a JSON object is required");
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        checkName(body.name(), false, errors);
        ProcedureRequest.Repository repo = body.repository();
        if (repo != null) {
            checkProvider(repo.provider(), false, errors);
            checkCloneUrl(repo.cloneUrl(), false, errors);
            checkFullName(repo.fullName(), errors);
            checkCredentials(repo.credentials(), true, errors);
        }
        checkBranch(body.productionBranch(), errors);
        checkExcluded(body.excludedBranches(), errors);
        ProcedureSpec.Reconcile reconcile = reconcile(body.reconcile(), limits, errors);
        fail(errors);
        return new ProcedureSpec(body.name() == null ? null : body.name().trim(),
                repo == null || repo.provider() == null ? null : repo.provider().toLowerCase(Locale.ROOT),
                repo == null || repo.cloneUrl() == null ? null : repo.cloneUrl().trim(),
                repo == null ? null : repo.fullName(), body.productionBranch(), body.autoPush(),
                body.excludedBranches(), repo == null ? null : credentials(repo.credentials()), reconcile);
    }

    /** @return the commit id in lower case, or null when only a branch is given */
    static String manualDeployment(DeploymentRequest body) {
        if (body == null) {
            throw ProblemException.invalid("body", "a JSON object is required");
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        if (body.procedureId() == null || body.procedureId().isBlank()) {
            errors.add(new Problem.FieldError("procedure_id", "is required"));
        }
        if (body.environment() != null || body.commit() != null) {
            errors.add(new Problem.FieldError(body.environment() != null ? "environment" : "commit",
                    "is only for a deployment from an upload (upload_id); a git build is a preview, made production by"
                            + " promote"));
        }
        if (body.commitSha() == null && body.branch() == null) {
            errors.add(new Problem.FieldError("commit_sha", "commit_sha or branch is required"));
        }
        if (body.commitSha() != null && !GitRefs.isCommitSha(body.commitSha())) {
            errors.add(new Problem.FieldError("commit_sha", "must be a full commit id: 40 hexadecimal digits"));
        }
        if (body.branch() != null) {
            String problem = GitRefs.branchProblem(body.branch());
            if (problem != null) {
                errors.add(new Problem.FieldError("branch", problem));
            }
        }
        fail(errors);
        return body.commitSha() == null ? null : body.commitSha().toLowerCase(Locale.ROOT);
    }

    /** An upload deployment, checked: the environment defaulted, the commit's fields trimmed. */
    record UploadDeployment(String procedureId, String uploadId, String environment, String commitSha,
            String commitMessage, String commitAuthor) {
    }

    /**
     * POST /v2/deployments with {@code upload_id}: no commit_sha or branch beside it; environment preview (default),
     * production or development; an optional commit whose sha is a full commit id, message at most
     * {@value #MAX_COMMIT_MESSAGE} and author at most {@value #MAX_NAME} characters.
     */
    static UploadDeployment uploadDeployment(DeploymentRequest body) {
        List<Problem.FieldError> errors = new ArrayList<>();
        if (body.procedureId() == null || body.procedureId().isBlank()) {
            errors.add(new Problem.FieldError("procedure_id", "is required"));
        }
        if (body.commitSha() != null || body.branch() != null) {
            errors.add(new Problem.FieldError(body.commitSha() != null ? "commit_sha" : "branch",
                    "cannot be given with upload_id: the upload is what gets built"));
        }
        if (!body.uploadId().matches("^upl_[0-9a-z]{26}$")) {
            errors.add(new Problem.FieldError("upload_id", "must be an upload id (upl_ + 26 lower-case characters) from"
                    + " POST /v2/uploads"));
        }
        String environment = body.environment() == null ? Environments.PREVIEW : body.environment();
        if (!Environments.ALL.contains(environment)) {
            errors.add(new Problem.FieldError("environment", "must be preview, production or development"));
        }
        DeploymentRequest.Commit commit = body.commit();
        String sha = null;
        String message = null;
        String author = null;
        if (commit != null) {
            if (commit.sha() != null && !GitRefs.isCommitSha(commit.sha())) {
                errors.add(new Problem.FieldError("commit.sha", "must be a full commit id: 40 hexadecimal digits"));
            } else if (commit.sha() != null) {
                sha = commit.sha().toLowerCase(Locale.ROOT);
            }
            message = commit.message() == null ? null : commit.message().strip();
            if (message != null && message.length() > MAX_COMMIT_MESSAGE) {
                errors.add(new Problem.FieldError("commit.message", "must be at most " + MAX_COMMIT_MESSAGE
                        + " characters"));
            }
            author = commit.author() == null ? null : commit.author().strip();
            if (author != null && (author.length() > MAX_NAME || author.codePoints().anyMatch(Character::isISOControl))) {
                errors.add(new Problem.FieldError("commit.author", "must be at most " + MAX_NAME
                        + " characters, without control characters"));
            }
        }
        fail(errors);
        return new UploadDeployment(body.procedureId(), body.uploadId(), environment, sha,
                message == null || message.isEmpty() ? null : message, author == null || author.isEmpty() ? null : author);
    }

    /** Name: 1 to {@value #MAX_NAME} characters, no control characters; role: admin, member or viewer. */
    static ApiKeyRequest.Checked newApiKey(ApiKeyRequest body) {
        if (body == null) {
            throw ProblemException.invalid("body", "a JSON object is required");
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        // Control characters are looked for before trimming, which would drop those at either end unseen.
        String name = body.name() == null ? null : body.name().trim();
        if (name == null) {
            errors.add(new Problem.FieldError("name", "is required"));
        } else if (body.name().codePoints().anyMatch(Character::isISOControl)) {
            errors.add(new Problem.FieldError("name", "must not contain control characters"));
        } else if (name.isEmpty() || name.codePointCount(0, name.length()) > MAX_NAME) {
            errors.add(new Problem.FieldError("name", "must be 1 to " + MAX_NAME + " characters"));
        }
        Optional<Role> role = Role.parse(body.role());
        if (role.isEmpty()) {
            errors.add(new Problem.FieldError("role", body.role() == null ? "is required: admin, member or viewer"
                    : "must be admin, member or viewer"));
        }
        fail(errors);
        return new ApiKeyRequest.Checked(name, role.get());
    }

    /**
     * A file path inside an artifact as the archive names it: relative, {@code /}-separated, no empty, {@code .}
     * or {@code ..} segment, no backslash or control character. Anything else names no file and is refused.
     */
    static String artifactPath(String path) {
        String problem = null;
        if (path == null || path.isEmpty() || path.length() > MAX_URL) {
            problem = "must be 1 to " + MAX_URL + " characters";
        } else if (path.startsWith("/") || path.indexOf('\\') >= 0
                || path.chars().anyMatch(Character::isISOControl)) {
            problem = "must be a relative path with / separators and no control characters";
        } else if (java.util.Arrays.stream(path.split("/", -1))
                .anyMatch(s -> s.isEmpty() || s.equals(".") || s.equals(".."))) {
            problem = "must not contain empty, . or .. segments";
        }
        if (problem != null) {
            throw ProblemException.invalid("path", problem);
        }
        return path;
    }

    private static void checkName(String name, boolean required, List<Problem.FieldError> errors) {
        if (name == null) {
            if (required) {
                errors.add(new Problem.FieldError("name", "is required"));
            }
        } else if (name.isBlank() || name.trim().length() > MAX_NAME) {
            errors.add(new Problem.FieldError("name", "must be 1 to " + MAX_NAME + " characters"));
        }
    }

    private static void checkProvider(String provider, boolean required, List<Problem.FieldError> errors) {
        if (provider == null) {
            if (required) {
                errors.add(new Problem.FieldError("repository.provider", "is required: github or gitlab"));
            }
        } else if (!PROVIDERS.contains(provider.toLowerCase(Locale.ROOT))) {
            errors.add(new Problem.FieldError("repository.provider", "must be github or gitlab"));
        }
    }

    private static void checkCloneUrl(String url, boolean required, List<Problem.FieldError> errors) {
        if (url == null) {
            if (required) {
                errors.add(new Problem.FieldError("repository.clone_url", "is required"));
            }
            return;
        }
        String u = url.trim();
        if (u.isEmpty() || u.length() > MAX_URL) {
            errors.add(new Problem.FieldError("repository.clone_url", "must be 1 to " + MAX_URL + " characters"));
            return;
        }
        // Syntax only; which schemes and hosts are allowed is the policy's, checked by ProcedureService.
        try {
            CloneUrlPolicy.parse(u);
        } catch (CloneUrlPolicy.MalformedCloneUrl e) {
            errors.add(new Problem.FieldError("repository.clone_url", e.getMessage()));
        }
    }

    /**
     * A token is 1 to {@value #MAX_TOKEN} visible ASCII characters with an optional user name; a deploy key is an
     * unencrypted PEM or OpenSSH private key. Messages never repeat the value.
     */
    private static void checkCredentials(ProcedureRequest.Credentials c, boolean change,
            List<Problem.FieldError> errors) {
        if (c == null) {
            return;
        }
        String field = "repository.credentials";
        String type = c.type() == null ? null : c.type().trim().toLowerCase(Locale.ROOT);
        if (type == null || !(type.equals("token") || type.equals("ssh_key") || (change && type.equals("none")))) {
            errors.add(new Problem.FieldError(field + ".type", "must be token or ssh_key" + (change
                    ? " (or none to remove the credentials)" : "")));
            return;
        }
        if (type.equals("none")) {
            if (c.token() != null || c.privateKey() != null || c.username() != null) {
                errors.add(new Problem.FieldError(field, "type none takes no token, username or private_key"));
            }
            return;
        }
        if (type.equals("token")) {
            if (c.privateKey() != null) {
                errors.add(new Problem.FieldError(field + ".private_key", "belongs to type ssh_key, not token"));
            }
            if (c.token() == null || c.token().isEmpty()) {
                errors.add(new Problem.FieldError(field + ".token", "is required for type token"));
            } else if (c.token().length() > MAX_TOKEN || !visibleAscii(c.token())) {
                errors.add(new Problem.FieldError(field + ".token", "must be 1 to " + MAX_TOKEN
                        + " visible ASCII characters (no spaces or control characters)"));
            }
            if (c.username() != null && (c.username().isEmpty() || c.username().length() > MAX_NAME
                    || !visibleAscii(c.username()) || c.username().indexOf(':') >= 0)) {
                errors.add(new Problem.FieldError(field + ".username", "must be 1 to " + MAX_NAME
                        + " visible ASCII characters without ':'"));
            }
            return;
        }
        if (c.token() != null || c.username() != null) {
            errors.add(new Problem.FieldError(field, "token and username belong to type token, not ssh_key"));
        }
        String key = c.privateKey();
        if (key == null || key.isBlank()) {
            errors.add(new Problem.FieldError(field + ".private_key", "is required for type ssh_key"));
        } else if (key.length() > MAX_PRIVATE_KEY || key.chars().anyMatch(ch -> Character.isISOControl(ch)
                && ch != '\n' && ch != '\r' && ch != '\t')) {
            errors.add(new Problem.FieldError(field + ".private_key", "must be a PEM or OpenSSH private key of at most "
                    + MAX_PRIVATE_KEY + " characters"));
        } else if (!key.matches("(?s)\\s*-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.+-----END [A-Z0-9 ]*PRIVATE KEY-----\\s*")) {
            errors.add(new Problem.FieldError(field + ".private_key",
                    "must be a private key in PEM or OpenSSH form (-----BEGIN ... PRIVATE KEY-----)"));
        } else if (key.contains("ENCRYPTED")) {
            errors.add(new Problem.FieldError(field + ".private_key",
                    "is protected by a passphrase; give a deploy key without one (it is stored encrypted)"));
        }
    }

    private static boolean visibleAscii(String s) {
        return s.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f);
    }

    private static ProcedureSpec.Credentials credentials(ProcedureRequest.Credentials c) {
        if (c == null) {
            return null;
        }
        String type = c.type().trim().toLowerCase(Locale.ROOT);
        return switch (type) {
            case "none" -> ProcedureSpec.Credentials.NONE;
            case "token" -> new ProcedureSpec.Credentials(type, c.username(), c.token(), null);
            default -> new ProcedureSpec.Credentials(type, null, null, c.privateKey().strip() + "\n");
        };
    }

    private static void checkFullName(String fullName, List<Problem.FieldError> errors) {
        if (fullName != null && (fullName.isBlank() || fullName.length() > 255 || !fullName.contains("/"))) {
            errors.add(new Problem.FieldError("repository.full_name", "must look like owner/name (at most 255 characters)"));
        }
    }

    private static void checkBranch(String branch, List<Problem.FieldError> errors) {
        if (branch != null) {
            String problem = GitRefs.branchProblem(branch);
            if (problem != null) {
                errors.add(new Problem.FieldError("production_branch", problem));
            }
        }
    }

    /**
     * {@code reconcile: {enabled, interval}}: interval {@code 90s}, {@code 5m}, {@code 1h} or ISO-8601, whole seconds,
     * from {@code benchline.reconcile.min-interval} to {@code max-interval}.
     */
    private static ProcedureSpec.Reconcile reconcile(ProcedureRequest.Reconcile r, ReconcileConfig limits,
            List<Problem.FieldError> errors) {
        if (r == null) {
            return null;
        }
        java.time.Duration interval = null;
        if (r.interval() != null) {
            interval = Intervals.parse(r.interval());
            java.time.Duration min = limits.minInterval();
            java.time.Duration max = limits.maxInterval();
            String range = "from " + Intervals.format(min.toSeconds()) + " to " + Intervals.format(max.toSeconds());
            if (interval == null) {
                errors.add(new Problem.FieldError("reconcile.interval", "must be a duration such as 90s, 5m or 1h "
                        + "(whole seconds, minutes or hours), " + range));
            } else if (interval.compareTo(min) < 0 || interval.compareTo(max) > 0) {
                errors.add(new Problem.FieldError("reconcile.interval", "must be " + range
                        + " (benchline.reconcile.min-interval, max-interval)"));
                interval = null;
            }
        }
        return new ProcedureSpec.Reconcile(r.enabled(), interval);
    }

    private static void checkExcluded(List<String> patterns, List<Problem.FieldError> errors) {
        if (patterns == null) {
            return;
        }
        if (patterns.size() > MAX_EXCLUDED) {
            errors.add(new Problem.FieldError("excluded_branches", "at most " + MAX_EXCLUDED + " patterns"));
            return;
        }
        for (int i = 0; i < patterns.size(); i++) {
            String problem = BranchPatterns.problem(patterns.get(i));
            if (problem != null) {
                errors.add(new Problem.FieldError("excluded_branches[" + i + "]", problem));
            }
        }
    }

    private static void fail(List<Problem.FieldError> errors) {
        if (!errors.isEmpty()) {
            String detail = errors.size() == 1 ? errors.get(0).field() + ": " + errors.get(0).message()
                    : errors.size() + " fields are invalid";
            throw ProblemException.invalid(detail, errors);
        }
    }

    /** The deployment id of a rollback request. */
    public static String rollback(ManagementRequests.RollbackRequest body) {
        if (body == null) {
            throw ProblemException.invalid("request body is required", (List<Problem.FieldError>) null);
        }
        if (body.deploymentId() == null || !body.deploymentId().matches("dep_[0-9a-z]{26}")) {
            throw ProblemException.invalid("deployment_id", "is required: a deployment id (dep_ + 26 characters)");
        }
        return body.deploymentId();
    }

    /** A page size from {@code ?limit=}. */
    public static int pageSize(String limit, int fallback, int max) {
        if (limit == null || limit.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(limit.strip());
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ProblemException.invalid("limit", "must be an integer from 1 to " + max);
    }

    /** The sequence a history cursor ({@code hst_<n>}) names; null without one. */
    public static Long historyCursor(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return null;
        }
        if (!cursor.matches("hst_[0-9]{1,18}")) {
            throw ProblemException.invalid("cursor", "must be a next_cursor value from a previous page");
        }
        return Long.parseLong(cursor.substring(4));
    }
}
