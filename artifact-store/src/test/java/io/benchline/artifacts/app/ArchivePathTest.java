package io.benchline.artifacts.app;

import io.benchline.common.api.ProblemException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which paths may name a file inside an archive (the files endpoint refuses the others with 400). */
class ArchivePathTest {

    @Test
    void relativePathsInsideTheArchiveAreAccepted() {
        for (String path : new String[] {"main.py", "lib/helpers.py", "docs/read me.txt", ".env", "a/..b/c..",
                "ünïcode/файл.txt"}) {
            assertThatCode(() -> Artifacts.requireArchivePath(path)).as(path).doesNotThrowAnyException();
        }
    }

    @Test
    void pathsThatCouldLeaveOrDoNotNameAFileAreRefused() {
        for (String path : new String[] {"", "/etc/passwd", "../main.py", "lib/../../x", "lib/..", "./main.py",
                "lib/./x", "lib//x", "lib/", "a\\b", "main.py\u0000", "line\nbreak", "x".repeat(4097)}) {
            assertThatThrownBy(() -> Artifacts.requireArchivePath(path)).as(path)
                    .isInstanceOf(ProblemException.class);
        }
        assertThatThrownBy(() -> Artifacts.requireArchivePath(null)).isInstanceOf(ProblemException.class);
    }
}
