package io.benchline.cli;

import java.io.Console;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Asking a person: whether one is there, and a yes/no question. Tests pass their own. */
public interface Terminal {
    /** Whether standard input and output are an interactive terminal. */
    boolean interactive();

    /** Whether standard error is a terminal, where progress bars are drawn; else plain status lines. */
    default boolean errorIsTerminal() {
        return false;
    }

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
            public boolean errorIsTerminal() {
                // Java 17 cannot ask about one stream; on Linux the descriptor's target tells.
                Path stderr = Path.of("/proc/self/fd/2");
                if (Files.exists(stderr, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        String target = Files.readSymbolicLink(stderr).toString();
                        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
                    } catch (IOException | UnsupportedOperationException e) {
                        return false;
                    }
                }
                return interactive();
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
