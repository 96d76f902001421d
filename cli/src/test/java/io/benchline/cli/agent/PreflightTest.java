package io.benchline.cli.agent;

import io.benchline.testsupport.LocalPackageIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The environment a TofuPilot-format deployment gets before it may become active, with a real Python and pip. */
class PreflightTest {
    @TempDir
    Path temp;

    private Path deployment(String runtime, LocalPackageIndex.Wheel... wheels) throws Exception {
        Path dir = Files.createDirectories(temp.resolve("dep-" + runtime + "-" + wheels.length));
        Files.writeString(dir.resolve("manifest.json"), "{\"schema_version\":2,\"procedure\":{\"name\":\"p\","
                + "\"runtime_version\":\"" + runtime + "\",\"format\":\"tofupilot\"}}");
        Files.createDirectories(dir.resolve("wheels"));
        for (LocalPackageIndex.Wheel w : wheels) {
            Files.write(dir.resolve("wheels").resolve(w.filename()), w.bytes());
        }
        return dir;
    }

    private static String python311() {
        return "python3";
    }

    @Test
    void theVendoredWheelsAreInstalledOfflineIntoTheDeploymentsOwnEnvironment() throws Exception {
        Path dir = deployment("3.11", LocalPackageIndex.wheel("bench-rails", "1.2.0", "bench_rails",
                "LIMIT = 5.2\n"));
        Preflight preflight = new Preflight(python311(), temp.resolve("installs"));
        assertThat(preflight.prepare("dep_1", dir)).isEqualTo("python 3.11 environment with 1 vendored packages");
        Process p = new ProcessBuilder(Preflight.interpreter(dir).toString(), "-c",
                "import bench_rails, sys; print(bench_rails.LIMIT, sys.prefix)").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).startsWith("5.2 ").contains(".venv");
        assertThat(preflight.prepare("dep_1", dir)).as("done once").isEqualTo("environment ready from before");
    }

    @Test
    void aRuntimeTheStationLacksOrABrokenWheelFailsWithTheReason() throws Exception {
        Preflight preflight = new Preflight(python311(), temp.resolve("installs"));
        assertThatThrownBy(() -> preflight.prepare("dep_2", deployment("3.6"))).isInstanceOf(
                Preflight.InstallFailure.class).hasMessageStartingWith(
                "the deployment needs Python 3.6, which this station does not have (tried python3.6");

        LocalPackageIndex.Wheel good = LocalPackageIndex.wheel("bench-rails", "1.2.0", "bench_rails", "X = 1\n");
        Path dir = deployment("3.11", good);
        Files.write(dir.resolve("wheels").resolve(good.filename()), "not a zip".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> preflight.prepare("dep_3", dir)).isInstanceOf(Preflight.InstallFailure.class)
                .hasMessageStartingWith("installing 1 vendored wheels failed (exit ");
        assertThat(dir.resolve(Preflight.DONE)).doesNotExist();
        assertThat(temp.resolve("installs/dep_3.log")).exists();
    }
}
