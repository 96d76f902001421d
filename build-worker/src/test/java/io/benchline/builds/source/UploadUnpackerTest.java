package io.benchline.builds.source;

import io.benchline.builds.TestZips;
import io.benchline.builds.app.BuildFailure;
import io.benchline.builds.app.Deadline;
import io.benchline.events.Commit;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectInserter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.benchline.builds.TestZips.directory;
import static io.benchline.builds.TestZips.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UploadUnpackerTest {
    private static final Commit COMMIT = new Commit("0123456789abcdef0123456789abcdef01234567", "m", "Ada", null, null);
    private final AtomicInteger zips = new AtomicInteger();

    @TempDir
    Path temp;

    private SourceTree unpack(byte[] zip, long maxSourceBytes, int maxFiles) throws Exception {
        int n = zips.incrementAndGet();
        Path file = temp.resolve("upload-" + n + ".zip");
        Files.write(file, zip);
        return UploadUnpacker.unpack(file, temp.resolve("upload-" + n + ".git"), COMMIT, maxSourceBytes, maxFiles,
                Deadline.forBuild(Duration.ofMinutes(1)));
    }

    private SourceTree unpack(TestZips.Entry... entries) throws Exception {
        return unpack(TestZips.zip(entries), 10_000_000, 100);
    }

    private void assertRefused(String reason, TestZips.Entry... entries) {
        assertThatThrownBy(() -> unpack(entries).close()).isInstanceOf(BuildFailure.class).hasMessage(reason);
    }

    @Test
    void aGoodZipIsATreeOfItsFilesSortedWithTheirBytesAndGitBlobIds() throws Exception {
        try (SourceTree tree = unpack(directory("lib"), file("procedure.yaml", "name: x\n"),
                file("./lib//helpers.py", "def f():\n    return 1\n"), file("main.py", "print(1)\n").stored(),
                file("lib/data.bin", new byte[3_000_000]), directory("empty/"))) {
            assertThat(tree.commit()).isEqualTo(COMMIT);
            assertThat(tree.files()).extracting(SourceFile::path)
                    .containsExactly("lib/data.bin", "lib/helpers.py", "main.py", "procedure.yaml");
            assertThat(tree.skipped()).isEmpty();
            SourceFile helpers = tree.file("lib/helpers.py").orElseThrow();
            byte[] text = "def f():\n    return 1\n".getBytes(StandardCharsets.UTF_8);
            assertThat(helpers.size()).isEqualTo(text.length);
            assertThat(tree.read(helpers, 1000)).isEqualTo(text);
            assertThat(helpers.blob()).as("the blob id git gives these bytes")
                    .isEqualTo(new ObjectInserter.Formatter().idFor(Constants.OBJ_BLOB, text));
            SourceFile large = tree.file("lib/data.bin").orElseThrow();
            assertThat(large.size()).as("spooled to disk, not held in memory").isEqualTo(3_000_000);
            try (var in = tree.open(large)) {
                assertThat(in.readAllBytes()).isEqualTo(new byte[3_000_000]);
            }
        }
    }

    @Test
    void symbolicLinksAreSkippedAndListed() throws Exception {
        try (SourceTree tree = unpack(file("main.py", "print(1)\n"),
                file("lib/link.py", "../main.py").mode(0120777), file("run.sh", "echo\n").mode(0100755))) {
            assertThat(tree.files()).extracting(SourceFile::path).containsExactly("main.py", "run.sh");
            assertThat(tree.skipped()).containsExactly("lib/link.py (symbolic link)");
        }
    }

    @Test
    void refusesPathsThatLeaveTheFolderOrMeanOtherFilesElsewhere() {
        assertRefused("the upload's entry '/etc/passwd' is an absolute path", file("/etc/passwd", "x"));
        assertRefused("the upload's entry 'C:/Windows/x.py' is an absolute path", file("C:/Windows/x.py", "x"));
        assertRefused("the upload's entry '../x.py' has a .. segment", file("../x.py", "x"));
        assertRefused("the upload's entry 'lib/../../x.py' has a .. segment", file("lib/../../x.py", "x"));
        assertRefused("the upload's entry '../' has a .. segment", directory("../"));
        assertRefused("the upload's entry 'lib\\x.py' contains a backslash (zip paths separate with /)",
                file("lib\\x.py", "x"));
        assertRefused("the upload's entry 'a\\u0000.py' contains a NUL character", file("a\0.py", "x"));
        assertRefused("the upload's entry '.' names no file", file(".", "x"));
    }

    @Test
    void refusesGitMetadata() {
        assertRefused("the upload contains '.git/config': git metadata (.git) must not be uploaded",
                file("main.py", "x"), file(".git/config", "[core]\n"));
        assertRefused("the upload contains 'vendor/lib/.GIT': git metadata (.git) must not be uploaded",
                file("vendor/lib/.GIT", "gitdir: ../x"));
    }

    @Test
    void refusesTwoEntriesForOneFileExactlyOrAfterNormalising() {
        assertRefused("the upload contains 'main.py' twice", file("main.py", "a"), file("main.py", "b"));
        assertRefused("the upload's entries 'main.py' and './main.py' are the same file on a station (paths are"
                + " compared without . segments, in Unicode NFC and ignoring case, as Windows and macOS do)",
                file("main.py", "a"), file("./main.py", "b"));
        assertThatThrownBy(() -> unpack(file("lib/x.py", "a"), file("lib//x.py", "b")))
                .hasMessageStartingWith("the upload's entries 'lib/x.py' and 'lib//x.py' are the same file");
        assertThatThrownBy(() -> unpack(file("Main.py", "a"), file("main.py", "b")))
                .hasMessageStartingWith("the upload's entries 'Main.py' and 'main.py' are the same file");
        // é composed (NFC) and decomposed (NFD): one name on macOS.
        assertThatThrownBy(() -> unpack(file("caf\u00e9.py", "a"), file("cafe\u0301.py", "b")))
                .hasMessageStartingWith("the upload's entries 'caf\u00e9.py' and 'cafe\u0301.py' are the same file");
    }

    @Test
    void refusesAPathThatIsAFileAndADirectory() {
        assertRefused("the upload's entry 'lib' is a file, but 'lib/x.py' needs a directory of that name",
                file("lib", "a"), file("lib/x.py", "b"));
        // '-' and '.' sort between "lib" and "lib/" in plain string order.
        assertRefused("the upload's entry 'lib' is a file, but 'lib/x.py' needs a directory of that name",
                file("lib/x.py", "b"), file("lib-a.py", "c"), file("lib.py", "d"), file("lib", "a"));
        assertRefused("the upload's entry 'Lib/x' is a file, but 'lib/x/y.py' needs a directory of that name",
                file("lib/x/y.py", "b"), file("Lib/x", "a"));
    }

    @Test
    void refusesMoreFilesThanMaxFiles() {
        List<TestZips.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            entries.add(file("f" + i + ".py", "x"));
        }
        entries.add(1, directory("d"));
        assertThatThrownBy(() -> unpack(TestZips.zip(entries), 1_000_000, 3)).isInstanceOf(BuildFailure.class)
                .hasMessage("the upload has more than 3 files (benchline.build.max-files)");
    }

    @Test
    void countsInflatedBytesAgainstTheSourceLimitNotTheHeaders() throws Exception {
        byte[] zeros = new byte[50_000_000];
        byte[] bomb = TestZips.zip(file("procedure.yaml", "name: x\n"), file("bomb.bin", zeros));
        assertThat(bomb.length).as("a zip bomb").isLessThan(100_000);
        assertThatThrownBy(() -> unpack(bomb, 1_000_000, 100)).isInstanceOf(BuildFailure.class)
                .hasMessage("the upload unpacks to more than 1000000 bytes (benchline.build.max-source-size), reached"
                        + " in 'bomb.bin'");

        // Headers that claim 10 bytes do not let 50 MB through.
        byte[] lying = TestZips.zip(file("bomb.bin", zeros).claiming(10));
        assertThatThrownBy(() -> unpack(lying, 1_000_000, 100)).isInstanceOf(BuildFailure.class)
                .hasMessageStartingWith("the upload unpacks to more than 1000000 bytes");
        byte[] claimsLess = TestZips.zip(file("a.bin", new byte[1000]).claiming(10));
        assertThatThrownBy(() -> unpack(claimsLess, 1_000_000, 100)).isInstanceOf(BuildFailure.class)
                .hasMessage("the upload is not a readable zip archive: 'a.bin' inflates to 1000 bytes, its header"
                        + " says 10");

        // The limit is on the sum, not per file.
        assertThatThrownBy(() -> unpack(TestZips.zip(file("a.bin", new byte[600_000]), file("b.bin",
                new byte[600_000])), 1_000_000, 100)).hasMessageEndingWith("reached in 'b.bin'");
        try (SourceTree exactly = unpack(TestZips.zip(file("a.bin", new byte[1_000_000])), 1_000_000, 100)) {
            assertThat(exactly.files()).hasSize(1);
        }
    }

    @Test
    void aCorruptZipIsRefusedAsSuch() throws Exception {
        byte[] good = TestZips.zip(file("main.py", "print('hello, station')\n").stored(), file("b.py", "x = 1\n"));
        byte[] damaged = good.clone();
        damaged[40] ^= 0x5a; // inside main.py's stored bytes
        assertThatThrownBy(() -> unpack(damaged, 1_000_000, 100)).isInstanceOf(BuildFailure.class)
                .hasMessage("the upload is not a readable zip archive: 'main.py' is damaged (CRC mismatch)");

        assertThatThrownBy(() -> unpack("not a zip at all".getBytes(StandardCharsets.UTF_8), 1_000_000, 100))
                .isInstanceOf(BuildFailure.class).hasMessageStartingWith("the upload is not a readable zip archive");
        assertThatThrownBy(() -> unpack(Arrays.copyOf(good, good.length - 30), 1_000_000, 100))
                .as("truncated").isInstanceOf(BuildFailure.class)
                .hasMessageStartingWith("the upload is not a readable zip archive");
        assertThatThrownBy(() -> unpack(new byte[0], 1_000_000, 100)).isInstanceOf(BuildFailure.class)
                .hasMessageStartingWith("the upload is not a readable zip archive");

        byte[] deflated = TestZips.zip(file("main.py", "print('hello, station')\n".repeat(50)));
        byte[] garbled = deflated.clone();
        for (int i = 40; i < 60; i++) {
            garbled[i] = (byte) 0xff;
        }
        assertThatThrownBy(() -> unpack(garbled, 1_000_000, 100)).isInstanceOf(BuildFailure.class)
                .hasMessageStartingWith("the upload is not a readable zip archive");
    }

    @Test
    void aZipOfOnlyDirectoriesHoldsNoFiles() {
        assertRefused("the upload holds no files", directory("lib"), directory("lib/sub"));
    }
}
