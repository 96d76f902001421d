package io.benchline.cli.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UnpackerTest {
    @TempDir
    Path dir;

    private Path zip(Map<String, String> files) throws Exception {
        Path zip = dir.resolve("a.zip");
        Files.write(zip, TestArtifacts.zip(files));
        return zip;
    }

    @Test
    void unpacksIntoTheDeploymentFolder() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("manifest.json", "{}");
        files.put("lib/helper.py", "x = 1\n");
        Path procedure = dir.resolve("procedures/prc_1");

        Path target = new Unpacker().unpack(zip(files), procedure, "dep_1");

        assertThat(target).isEqualTo(procedure.resolve("dep_1"));
        assertThat(target.resolve("lib/helper.py")).hasContent("x = 1");
        try (Stream<Path> list = Files.list(procedure)) {
            assertThat(list.map(p -> p.getFileName().toString())).containsExactly("dep_1");
        }
    }

    @Test
    void rejectsZipSlipAndLeavesNothingBehind() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("manifest.json", "{}");
        files.put("../../evil.py", "boom");
        Path procedure = dir.resolve("procedures/prc_1");

        assertThatThrownBy(() -> new Unpacker().unpack(zip(files), procedure, "dep_1"))
                .isInstanceOf(Unpacker.UnsafeEntryException.class);

        assertThat(dir.resolve("evil.py")).doesNotExist();
        assertThat(procedure.resolve("dep_1")).doesNotExist();
        try (Stream<Path> list = Files.list(procedure)) {
            assertThat(list).isEmpty();
        }
    }

    @Test
    void rejectsAbsoluteAndBackslashAndNestedTraversal() throws Exception {
        Path procedure = dir.resolve("procedures/prc_1");
        for (String name : new String[] {"/etc/passwd", "a/../../x", "..\\x", "C:/x", "a/b/../../../x"}) {
            Map<String, String> files = Map.of(name, "boom");
            assertThatThrownBy(() -> new Unpacker().unpack(zip(files), procedure, "dep_1"))
                    .as(name).isInstanceOf(Unpacker.UnsafeEntryException.class);
        }
        assertThat(procedure.resolve("dep_1")).doesNotExist();
    }

    @Test
    void rejectsSomethingThatIsNotAZip() throws Exception {
        Path junk = dir.resolve("junk.zip");
        Files.writeString(junk, "not a zip");

        assertThatThrownBy(() -> new Unpacker().unpack(junk, dir.resolve("p"), "dep_1"))
                .isInstanceOf(java.io.IOException.class);
        assertThat(dir.resolve("p/dep_1")).doesNotExist();
    }
}
