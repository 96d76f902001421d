package io.benchline.cli;

import java.io.IOException;
import java.io.PrintWriter;

/**
 * The question before an action that cannot be undone or that reaches production: {@code --yes} skips it; without
 * {@code --yes} and without a terminal to ask on, the command refuses and sends nothing.
 */
final class Confirmation {
    /** The question, built only when it is asked (delete fetches the deployment for it). */
    @FunctionalInterface
    interface Question {
        String text() throws IOException;
    }

    private Confirmation() {
    }

    /**
     * Whether the command may go on. When not, the reason is on {@code err} and the command exits
     * {@link Exit#USAGE}. {@code doing} and {@code verb} name the action: "deleting deployment dep_1", "delete".
     */
    static boolean given(Terminal terminal, boolean yes, PrintWriter err, String doing, String verb,
                         Question question, String declined) throws IOException {
        if (yes) {
            return true;
        }
        if (!terminal.interactive()) {
            err.println("error: not " + doing + " without confirmation: no interactive terminal; pass --yes to "
                    + verb + " it");
            return false;
        }
        if (!terminal.confirm(question.text())) {
            err.println(declined);
            return false;
        }
        return true;
    }
}
