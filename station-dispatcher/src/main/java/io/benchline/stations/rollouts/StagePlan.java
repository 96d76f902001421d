package io.benchline.stations.rollouts;

import io.benchline.common.api.Problem;
import io.benchline.common.api.ProblemException;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * A rollout's stages: each a station count or a percent of the procedure's production stations (rounded up). The
 * resolved targets must grow from stage to stage, none may be 0, and the last one must reach every station.
 */
public final class StagePlan {
    static final int MAX_STAGES = 20;

    private StagePlan() {
    }

    /** One stage as asked: exactly one of {@code stations} and {@code percent}. */
    public record Stage(Integer stations, BigDecimal percent) {
    }

    /** A stage with the number of stations it reaches. */
    public record Resolved(Integer stations, BigDecimal percent, int target) {
    }

    /** The stages' own shape, before the fleet is known: 400 with a field error per problem. */
    public static void checkShape(List<Stage> stages) {
        List<Problem.FieldError> errors = new ArrayList<>();
        if (stages == null || stages.isEmpty()) {
            errors.add(new Problem.FieldError("stages", "name at least one stage"));
        } else if (stages.size() > MAX_STAGES) {
            errors.add(new Problem.FieldError("stages", "at most " + MAX_STAGES + " stages"));
        } else {
            for (int i = 0; i < stages.size(); i++) {
                Stage s = stages.get(i);
                String field = "stages[" + i + "]";
                if (s == null || (s.stations() == null) == (s.percent() == null)) {
                    errors.add(new Problem.FieldError(field, "give exactly one of stations and percent"));
                } else if (s.stations() != null && s.stations() < 1) {
                    errors.add(new Problem.FieldError(field + ".stations", "must be at least 1"));
                } else if (s.percent() != null && (s.percent().signum() <= 0
                        || s.percent().compareTo(BigDecimal.valueOf(100)) > 0)) {
                    errors.add(new Problem.FieldError(field + ".percent", "must be above 0 and at most 100"));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw ProblemException.invalid("the rollout's stages are not valid", errors);
        }
    }

    /**
     * The targets for {@code stationCount} stations. Strict (a request): a stage that rounds to 0, targets that do
     * not grow, or a last stage below every station are 400. Lenient (a procedure's plan, which was written for
     * another fleet size): such stages are dropped and the last one reaches every station.
     */
    public static List<Resolved> resolve(List<Stage> stages, int stationCount, boolean strict) {
        List<Resolved> out = new ArrayList<>();
        List<Problem.FieldError> errors = new ArrayList<>();
        int previous = 0;
        for (int i = 0; i < stages.size(); i++) {
            Stage s = stages.get(i);
            int target = s.stations() != null ? Math.min(s.stations(), stationCount)
                    : s.percent().multiply(BigDecimal.valueOf(stationCount)).divide(BigDecimal.valueOf(100), 0,
                    RoundingMode.CEILING).intValueExact();
            boolean last = i == stages.size() - 1;
            if (last && target < stationCount) {
                if (strict) {
                    errors.add(new Problem.FieldError("stages[" + i + "]", "the last stage must reach every station ("
                            + stationCount + "; 100%), it reaches " + target));
                    continue;
                }
                target = stationCount;
            }
            if (target == 0) {
                if (strict) {
                    errors.add(new Problem.FieldError("stages[" + i + "]", "reaches no station of " + stationCount));
                }
                continue;
            }
            if (target <= previous) {
                if (strict) {
                    errors.add(new Problem.FieldError("stages[" + i + "]", "reaches " + target + " stations, not more"
                            + " than the stage before (" + previous + ")"));
                }
                continue;
            }
            out.add(new Resolved(s.stations(), s.percent(), target));
            previous = target;
        }
        if (!errors.isEmpty()) {
            throw ProblemException.invalid("the stages do not fit the procedure's " + stationCount
                    + " production stations", errors);
        }
        return out;
    }
}
