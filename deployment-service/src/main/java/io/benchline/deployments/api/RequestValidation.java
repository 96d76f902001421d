package io.benchline.deployments.api;

import io.benchline.common.api.Problem;
import io.benchline.common.api.ProblemException;
import io.benchline.common.auth.Role;
import io.benchline.deployments.app.ProcedureSpec;
import io.benchline.deployments.model.BranchPatterns;
import io.benchline.deployments.model.GitRefs;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Checks request bodies and reports every bad field at once, as a 400 problem with field errors. */
final class RequestValidation {
    static final Set<String> PROVIDERS = Set.of("github", "gitlab");
    static final int MAX_NAME = 100;
    static final int MAX_URL = 2048;
    static final int MAX_EXCLUDED = 100;

    private RequestValidation() {
    }

    static ProcedureSpec newProcedure(ProcedureRequest body) {
        if (body == null) {
            throw ProblemException.invalid("body", "a JSON object is required");
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        checkName(body.name(), true, errors);
        ProcedureRequest.Repository repo = body.repository();
        if (repo == null) {
            errors.add(new Problem.FieldError("repository", "is required"));
        } else {
            checkProvider(repo.provider(), true, errors);
            checkCloneUrl(repo.cloneUrl(), true, errors);
            checkFullName(repo.fullName(), errors);
        }
        checkBranch(body.productionBranch(), errors);
        checkExcluded(body.excludedBranches(), errors);
        fail(errors);
        return new ProcedureSpec(body.name().trim(), repo.provider().toLowerCase(Locale.ROOT), repo.cloneUrl().trim(),
                repo.fullName(), body.productionBranch(), body.autoPush(), body.excludedBranches());
    }

    static ProcedureSpec procedureChange(ProcedureRequest body) {
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
        }
        checkBranch(body.productionBranch(), errors);
        checkExcluded(body.excludedBranches(), errors);
        fail(errors);
        return new ProcedureSpec(body.name() == null ? null : body.name().trim(),
                repo == null || repo.provider() == null ? null : repo.provider().toLowerCase(Locale.ROOT),
                repo == null || repo.cloneUrl() == null ? null : repo.cloneUrl().trim(),
                repo == null ? null : repo.fullName(), body.productionBranch(), body.autoPush(),
                body.excludedBranches());
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
        } else if (!looksLikeGitUrl(u)) {
            errors.add(new Problem.FieldError("repository.clone_url",
                    "must be a git URL: https://, http://, ssh://, git@host:path or file://"));
        }
    }

    private static boolean looksLikeGitUrl(String url) {
        if (url.chars().anyMatch(c -> c <= ' ')) {
            return false;
        }
        if (url.matches("[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:.+")) {
            return true;
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return switch (scheme) {
                case "http", "https", "ssh", "git" -> uri.getHost() != null && uri.getPath() != null
                        && uri.getPath().length() > 1;
                case "file" -> uri.getPath() != null && uri.getPath().length() > 1;
                default -> false;
            };
        } catch (Exception e) {
            return false;
        }
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
