package io.benchline.cli;

import java.io.Console;
import java.lang.reflect.Method;
import java.util.Locale;

/** Asking a person: whether one is there, and a yes/no question. Tests pass their own. */
public interface Terminal {
    /** Whether standard input and output are an interactive terminal. */
    boolean interactive();

    /** Asks a yes/no question; true only for an answer of y or yes. */
    boolean confirm(String question);

    /** The process's console. */
    static Terminal system() {
        return new Terminal() {
            @Override
            public boolean interactive() {
                Console console = System.console();
                if (console == null) {
                    return false;
                }
                // From Java 22 on, System.console() is not null when redirected; isTerminal() tells.
                try {
                    Method isTerminal = Console.class.getMethod("isTerminal");
                    return (Boolean) isTerminal.invoke(console);
                } catch (ReflectiveOperationException e) {
                    return true;
                }
            }

            @Override
            public boolean confirm(String question) {
                Console console = System.console();
                String answer = console == null ? null : console.readLine("%s [y/N] ", question);
                return Terminal.isYes(answer);
            }
        };
    }

    /** y or yes, in any case; null (end of input) is no. */
    static boolean isYes(String answer) {
        String a = answer == null ? "" : answer.strip().toLowerCase(Locale.ROOT);
        return a.equals("y") || a.equals("yes");
    }
}
