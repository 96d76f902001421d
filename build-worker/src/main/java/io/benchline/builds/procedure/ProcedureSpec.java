package io.benchline.builds.procedure;

/**
 * A valid {@code procedure.yaml}.
 *
 * @param language       {@code python}
 * @param runtimeVersion {@code 3.11}
 * @param entryPoint     path of a .py file of the tree, relative, with '/'
 * @param platform       {@code any} unless given
 * @param requirements   path of the requirements file, or null when there is none
 */
public record ProcedureSpec(String name, String language, String runtimeVersion, String entryPoint, String platform,
        String requirements) {
}
