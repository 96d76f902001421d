package io.benchline.builds.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.benchline.builds.TestRepos;
import io.benchline.builds.app.BuildFailure;
import io.benchline.builds.app.Deadline;
import io.benchline.builds.procedure.ProcedureSpec;
import io.benchline.builds.source.GitSource;
import io.benchline.builds.source.SourceTree;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArchiveWriterTest {
    private static final ProcedureSpec SPEC = new ProcedureSpec("Voltage check", "python", "3.11", "main.py", "any",
            "requirements.txt");
    private final GitSource git = new GitSource(new GitSource.Limits(Duration.ofMinutes(1), 50_000_000, 50_000_000,
            1000, new io.benchline.repositories.CloneUrlPolicy(List.of(), false, true, List.of()),
            io.benchline.repositories.CloneUrlPolicy.Resolver.SYSTEM));
    private final ArchiveWriter writer = new ArchiveWriter();

    @TempDir
    Path temp;

    private PackedArchive packFreshClone(Path repo, String sha, String name) {
        return packFreshClone(repo, sha, "main", name);
    }

    private PackedArchive packFreshClone(Path repo, String sha, String branch, String name) {
        Path clone = temp.resolve("clone-" + name);
        try (SourceTree tree = git.fetch(repo.toUri().toString(), sha, branch, clone,
                Deadline.forBuild(Duration.ofMinutes(1)))) {
            return writer.pack(tree, SPEC, temp.resolve(name + ".zip"), Deadline.forBuild(Duration.ofMinutes(1)));
        }
    }

    @Test
    void sameCommitGivesTheSameBytes() throws Exception {
        Path repo = temp.resolve("repo");
        RevCommit commit = TestRepos.create(repo, TestRepos.validProcedure());

        PackedArchive first = packFreshClone(repo, commit.getName(), "first");
        Thread.sleep(1100); // a clock-dependent field would differ now
        PackedArchive second = packFreshClone(repo, commit.getName(), "second");

        byte[] a = Files.readAllBytes(first.path());
        byte[] b = Files.readAllBytes(second.path());
        assertThat(a).isEqualTo(b);
        assertThat(first.digest()).isEqualTo(second.digest())
                .isEqualTo("sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(a)));
        assertThat(first.sizeBytes()).isEqualTo(a.length);
        assertThat(first.files()).isEqualTo(6);
    }

    /** One commit has one digest: the branch it was built from (or none, built by SHA) is not in the artifact. */
    @Test
    void sameCommitFromAnotherBranchOrBySha() throws Exception {
        Path repo = temp.resolve("repo");
        RevCommit commit = TestRepos.create(repo, TestRepos.validProcedure());
        byte[] main = Files.readAllBytes(packFreshClone(repo, commit.getName(), "main", "main").path());
        byte[] feature = Files.readAllBytes(packFreshClone(repo, commit.getName(), "feature/x", "feature").path());
        byte[] bySha = Files.readAllBytes(packFreshClone(repo, commit.getName(), null, "sha").path());
        assertThat(feature).isEqualTo(main);
        assertThat(bySha).isEqualTo(main);
    }

    @Test
    void anotherCommitGivesOtherBytes() {
        Path repo = temp.resolve("repo");
        RevCommit one = TestRepos.create(repo, TestRepos.validProcedure());
        RevCommit two = TestRepos.commit(repo, Map.of("main.py", "print('v2')\n"), "second");

        assertThat(packFreshClone(repo, one.getName(), "one").digest())
                .isNotEqualTo(packFreshClone(repo, two.getName(), "two").digest());
    }

    @Test
    void manifestComesFirstThenFilesSortedByPathWithoutGit() throws Exception {
        Path repo = temp.resolve("repo");
        RevCommit commit = TestRepos.create(repo, TestRepos.validProcedure());
        assertThat(repo.resolve(".git")).isDirectory();

        PackedArchive archive = packFreshClone(repo, commit.getName(), "a");

        List<String> names = new ArrayList<>();
        byte[] manifest = null;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(Files.readAllBytes(archive.path())))) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                names.add(entry.getName());
                assertThat(entry.getTimeLocal()).isEqualTo(LocalDateTime.of(1980, 1, 1, 0, 0));
                assertThat(entry.getExtra()).isNull();
                if (entry.getName().equals("manifest.json")) {
                    manifest = zip.readAllBytes();
                } else {
                    assertThat(new String(zip.readAllBytes(), StandardCharsets.UTF_8))
                            .isEqualTo(TestRepos.validProcedure().get(entry.getName()));
                }
            }
        }
        assertThat(names).containsExactly("manifest.json", ".gitignore", "lib/__init__.py", "lib/helpers.py",
                "main.py", "procedure.yaml", "requirements.txt");
        assertThat(names).noneMatch(n -> n.equals(".git") || n.startsWith(".git/") || n.contains("/.git/"));
        try (ZipFile zipFile = new ZipFile(archive.path().toFile())) {
            assertThat(zipFile.stream().map(ZipEntry::getName).toList()).isEqualTo(names);
            assertThat(zipFile.getInputStream(zipFile.getEntry("main.py")).readAllBytes())
                    .isEqualTo(TestRepos.validProcedure().get("main.py").getBytes(StandardCharsets.UTF_8));
        }

        String json = new String(manifest, StandardCharsets.UTF_8);
        assertThat(json).startsWith("{\"schema_version\":2,\"procedure\":{\"name\":\"Voltage check\",\"language\":"
                + "\"python\",\"runtime_version\":\"3.11\",\"platform\":\"any\",\"entry_point\":\"main.py\",\"format\":\"simple\"},"
                + "\"commit\":{\"sha\":\"" + commit.getName() + "\",\"message\":\"first commit\\n\\nwith a body\","
                + "\"author\":\"Ada Tester\"},\"files\":[{\"path\":\".gitignore\",\"size\":13,"
                + "\"sha256\":\"");
        JsonNode files = new ObjectMapper().readTree(manifest).get("files");
        assertThat(files).hasSize(6);
        JsonNode main = files.get(3);
        assertThat(main.get("path").asText()).isEqualTo("main.py");
        byte[] mainBytes = TestRepos.validProcedure().get("main.py").getBytes(StandardCharsets.UTF_8);
        assertThat(main.get("size").asLong()).isEqualTo(mainBytes.length);
        assertThat(main.get("sha256").asText())
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(mainBytes)));
    }

    /** Reads the raw headers: DOS time 00:00:00 and date 1980-01-01 and no extra field, local and central. */
    @Test
    void rawHeadersCarryTheFixedTimeAndNoExtraFields() throws Exception {
        Path repo = temp.resolve("repo");
        RevCommit commit = TestRepos.create(repo, TestRepos.validProcedure());
        ByteBuffer zip = ByteBuffer.wrap(Files.readAllBytes(packFreshClone(repo, commit.getName(), "raw").path()))
                .order(ByteOrder.LITTLE_ENDIAN);

        int eocd = zip.limit() - 22;
        assertThat(zip.getInt(eocd)).as("end of central directory, no archive comment").isEqualTo(0x06054b50);
        assertThat(zip.getShort(eocd + 20)).isZero();
        int count = Short.toUnsignedInt(zip.getShort(eocd + 10));
        int at = zip.getInt(eocd + 16);
        assertThat(count).isEqualTo(7);
        for (int i = 0; i < count; i++) {
            assertThat(zip.getInt(at)).isEqualTo(0x02014b50);
            assertThat(Short.toUnsignedInt(zip.getShort(at + 12))).as("central time").isZero();
            assertThat(Short.toUnsignedInt(zip.getShort(at + 14))).as("central date").isEqualTo(0x21);
            // stored, not deflated: no zlib's output in the bytes
            assertThat(Short.toUnsignedInt(zip.getShort(at + 10))).as("central method").isZero();
            assertThat(zip.getInt(at + 20)).as("compressed = size").isEqualTo(zip.getInt(at + 24));
            int nameLength = Short.toUnsignedInt(zip.getShort(at + 28));
            int extraLength = Short.toUnsignedInt(zip.getShort(at + 30));
            int commentLength = Short.toUnsignedInt(zip.getShort(at + 32));
            assertThat(extraLength).as("central extra").isZero();
            assertThat(commentLength).isZero();
            int local = zip.getInt(at + 42);
            assertThat(zip.getInt(local)).isEqualTo(0x04034b50);
            assertThat(Short.toUnsignedInt(zip.getShort(local + 10))).as("local time").isZero();
            assertThat(Short.toUnsignedInt(zip.getShort(local + 12))).as("local date").isEqualTo(0x21);
            assertThat(Short.toUnsignedInt(zip.getShort(local + 8))).as("local method").isZero();
            assertThat(Short.toUnsignedInt(zip.getShort(local + 28))).as("local extra").isZero();
            at += 46 + nameLength + extraLength + commentLength;
        }
    }

    @Test
    void refusesARepositoryThatHasItsOwnManifestJson() {
        Path repo = temp.resolve("repo");
        Map<String, String> files = new java.util.HashMap<>(TestRepos.validProcedure());
        files.put("manifest.json", "{}");
        RevCommit commit = TestRepos.create(repo, files);

        assertThatThrownBy(() -> packFreshClone(repo, commit.getName(), "m"))
                .isInstanceOf(BuildFailure.class)
                .hasMessageContaining("must not contain manifest.json");
    }
}
