package io.benchline.cli.source;

import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@link Packer} packs and refuses: git's ignore rules, .git, symbolic links, order, the size limit. */
class PackerTest {
    @TempDir
    Path temp;

    private final List<String> skipped = new ArrayList<>();

    private final Packer.Listener listener = new Packer.Listener() {
        @Override
        public void skipped(String name, String why) {
            skipped.add(name + ": " + why);
        }

        @Override
        public void packing(int files, int totalFiles, long bytes, long totalBytes) {
        }
    };

    private Path write(Path dir, String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    private Packer.Packed pack(Path dir, long limit) throws IOException {
        return new Packer(SourceTree.of(dir), limit, listener).pack(temp.resolve("out-" + System.nanoTime() + ".zip"));
    }

    /** Entry name → content, in the zip's order. */
    private static Map<String, String> entries(Path zip) throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        try (ZipFile file = new ZipFile(zip.toFile())) {
            for (ZipEntry e : Collections.list(file.entries())) {
                assertThat(e.isDirectory()).as(e.getName()).isFalse();
                entries.put(e.getName(), new String(file.getInputStream(e).readAllBytes()));
            }
        }
        return entries;
    }

    private static List<String> names(Path zip) throws IOException {
        return new ArrayList<>(entries(zip).keySet());
    }

    @Test
    void gitignoreFilesApplyAtEveryLevelWithNegationsAndDirectoryPatterns() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("src"));
        write(dir, ".gitignore", "*.log\n!keep.log\nbuild/\n/secret.txt\n# a comment\n");
        write(dir, "sub/.gitignore", "local.cfg\n!important.log\n");
        write(dir, "main.py", "main");
        write(dir, "debug.log", "ignored by *.log");
        write(dir, "keep.log", "re-included by !keep.log");
        write(dir, "build/out.bin", "in an ignored directory");
        write(dir, "build/keep.log", "a negation cannot re-include a file in an ignored directory");
        write(dir, "lib/build", "a file named build: build/ matches only directories");
        write(dir, "secret.txt", "anchored: only at the root");
        write(dir, "sub/secret.txt", "not the root's");
        write(dir, "sub/local.cfg", "ignored by sub/.gitignore");
        write(dir, "sub/important.log", "the nearer .gitignore re-includes it");
        write(dir, "sub/other.log", "still *.log");
        write(dir, "sub/deeper/local.cfg", "sub/.gitignore applies below sub too");
        write(dir, "other/local.cfg", "sub/.gitignore does not apply here");

        Packer.Packed packed = pack(dir, 1 << 20);

        assertThat(names(packed.zip())).containsExactly(".gitignore", "keep.log", "lib/build", "main.py",
                "other/local.cfg", "sub/.gitignore", "sub/important.log", "sub/secret.txt");
        assertThat(packed.files()).isEqualTo(8);
    }

    @Test
    void dotGitIsNeverPackedAndInfoExcludeApplies() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("repo"));
        Git.init().setDirectory(dir.toFile()).call().close();
        write(dir, ".git/info/exclude", "# git's own header\nfixtures/\n*.bak\n");
        write(dir, "main.py", "main");
        write(dir, "main.py.bak", "excluded");
        write(dir, "fixtures/big.bin", "excluded directory");
        write(dir, "vendor/lib/.git", "gitdir: ../../.git/modules/lib\n");
        write(dir, "vendor/lib/code.py", "code");

        Packer.Packed packed = pack(dir, 1 << 20);

        assertThat(names(packed.zip())).containsExactly("main.py", "vendor/lib/code.py");
    }

    @Test
    void aDirectoryBelowTheWorkTreeHonoursTheGitignoreFilesAboveIt() throws Exception {
        Path repo = Files.createDirectories(temp.resolve("repo"));
        Git.init().setDirectory(repo.toFile()).call().close();
        write(repo, ".gitignore", "*.tmp\n/procedures/flash/cache/\n");
        Path dir = write(repo, "procedures/flash/main.py", "main").getParent();
        write(dir, "scratch.tmp", "ignored by the work tree's root");
        write(dir, "cache/x", "anchored at the root, for this directory");

        assertThat(names(pack(dir, 1 << 20).zip())).containsExactly("main.py");
    }

    @Test
    void symbolicLinksAreSkippedAndReported() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("src"));
        write(dir, "main.py", "main");
        write(dir, "lib/util.py", "util");
        Path outside = write(temp, "outside/secret.txt", "outside the tree");
        Files.createSymbolicLink(dir.resolve("link.py"), dir.resolve("main.py"));
        Files.createSymbolicLink(dir.resolve("escape"), outside.getParent());

        Packer.Packed packed = pack(dir, 1 << 20);

        assertThat(names(packed.zip())).containsExactly("lib/util.py", "main.py");
        assertThat(skipped).containsExactlyInAnyOrder("escape: a symbolic link (not followed)",
                "link.py: a symbolic link (not followed)");
    }

    @Test
    void entriesAreSortedWithForwardSlashesAndTheirBytes() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("src"));
        for (String name : List.of("z.py", "a/b/c.py", "a.py", "a/a.py", "B.txt", "m/n.py")) {
            write(dir, name, "content of " + name);
        }
        Map<String, String> entries = entries(pack(dir, 1 << 20).zip());

        assertThat(entries.keySet()).containsExactly("B.txt", "a.py", "a/a.py", "a/b/c.py", "m/n.py", "z.py");
        entries.forEach((name, content) -> assertThat(content).isEqualTo("content of " + name));
    }

    @Test
    void theSha256AndSizeAreThoseOfTheBytesWritten() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("src"));
        write(dir, "main.py", "main");
        byte[] noise = new byte[100_000];
        new Random(1).nextBytes(noise);
        Files.write(dir.resolve("fixture.bin"), noise);

        Packer.Packed packed = pack(dir, 1 << 20);

        byte[] bytes = Files.readAllBytes(packed.zip());
        assertThat(packed.size()).isEqualTo(bytes.length);
        assertThat(packed.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(bytes))).hasSize(64).isLowerCase();
        assertThat(packed.contentBytes()).isEqualTo(100_004);
        assertThat(pack(dir, 1 << 20).sha256()).as("the same files pack to the same bytes").isEqualTo(packed.sha256());
    }

    @Test
    void passingTheLimitStopsAndNamesTheLargestFiles() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("src"));
        Random random = new Random(2);
        byte[] big = new byte[300 * 1024];
        random.nextBytes(big);
        byte[] medium = new byte[120 * 1024];
        random.nextBytes(medium);
        Files.write(dir.resolve("a-first.bin"), big);
        Files.createDirectories(dir.resolve("data"));
        Files.write(dir.resolve("data/recording.wav"), medium);
        write(dir, "main.py", "main");

        assertThatThrownBy(() -> pack(dir, 64 * 1024))
                .isInstanceOf(Packer.Refused.class)
                .hasMessageContaining("packs to more than the limit of 64.0 KiB (--max-size)")
                .hasMessageContaining("after 0 of 3 files")
                .hasMessageContaining("  a-first.bin         300.0 KiB\n  data/recording.wav  120.0 KiB\n  main.py")
                .hasMessageContaining(".gitignore");
    }

    @Test
    void anEmptyTreeIsRefused() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("src"));
        write(dir, ".gitignore", "*\n");
        write(dir, "main.py", "ignored");
        // .gitignore itself is ignored by "*" too: nothing is left
        assertThatThrownBy(() -> pack(dir, 1 << 20)).isInstanceOf(Packer.Refused.class)
                .hasMessageContaining("nothing to pack in " + dir.toRealPath());

        Path nothing = Files.createDirectories(temp.resolve("nothing/at/all"));
        assertThatThrownBy(() -> pack(nothing.getParent().getParent(), 1 << 20)).isInstanceOf(Packer.Refused.class);
    }
}
