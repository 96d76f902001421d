package io.benchline.stations.app;

import io.benchline.common.api.ProblemException;

import java.util.regex.Pattern;

/** Shapes of the ids this service accepts from callers. */
public final class Ids {
    private static final Pattern PROCEDURE = Pattern.compile("^prc_[0-9a-z]{26}$");
    private static final Pattern DEPLOYMENT = Pattern.compile("^dep_[0-9a-z]{26}$");
    private static final Pattern RUN = Pattern.compile("^run_[0-9a-z]{26}$");

    private Ids() {
    }

    public static String procedure(String field, String value) {
        return require(PROCEDURE, field, value, "a procedure id (prc_ + 26 lower-case characters)");
    }

    public static String deployment(String field, String value) {
        return require(DEPLOYMENT, field, value, "a deployment id (dep_ + 26 lower-case characters)");
    }

    public static String run(String field, String value) {
        return require(RUN, field, value, "a run id (run_ + 26 lower-case characters)");
    }

    private static String require(Pattern pattern, String field, String value, String what) {
        if (value == null || value.isBlank()) {
            throw ProblemException.invalid(field, "is required");
        }
        if (!pattern.matcher(value).matches()) {
            throw ProblemException.invalid(field, "must be " + what);
        }
        return value;
    }
}
