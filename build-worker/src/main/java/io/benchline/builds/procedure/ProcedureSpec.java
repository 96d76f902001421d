package io.benchline.builds.procedure;

/**
 * A valid {@code procedure.yaml}.
 *
 * @param language       {@code python}
 * @param runtimeVersion {@code 3.11}
 * @param entryPoint     path of a .py file of the tree, relative, with '/'; null for the TofuPilot format, whose
 *                       phases name their code
 * @param platform       {@code any} unless given
 * @param requirements   path of the requirements or lock file, or null when there is none
 * @param format         {@link #SIMPLE} or {@link #TOFUPILOT}
 * @param runtimeSource  where the runtime version came from (the build log names it)
 */
public record ProcedureSpec(String name, String language, String runtimeVersion, String entryPoint, String platform,
        String requirements, String format, String runtimeSource) {
    /** name, runtime, entry_point. */
    public static final String SIMPLE = "simple";
    /** TofuPilot's procedure.yaml: unit, plugs, setup/main/teardown phases. */
    public static final String TOFUPILOT = "tofupilot";

    /** A procedure in the simple format, its runtime as declared. */
    public ProcedureSpec(String name, String language, String runtimeVersion, String entryPoint, String platform,
            String requirements) {
        this(name, language, runtimeVersion, entryPoint, platform, requirements, SIMPLE, ProcedureValidator.FILE);
    }
}
