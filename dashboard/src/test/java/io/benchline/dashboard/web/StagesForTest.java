package io.benchline.dashboard.web;

import io.benchline.dashboard.api.ApiProblem;

/** Reaches the Start-a-rollout form's stage reader (package-private) from the tests. */
public final class StagesForTest {
    private StagesForTest() {
    }

    public static String read(String text) {
        return ProcedureRolloutPages.stages(text).toString();
    }

    public static String refusal(String text) {
        try {
            ProcedureRolloutPages.stages(text);
            return "read";
        } catch (ApiProblem p) {
            return String.join("; ", p.errors());
        }
    }
}
