package io.benchline.builds.packages;

import io.benchline.builds.app.BuildFailure;
import io.benchline.builds.app.BuildLog;
import io.benchline.builds.app.Deadline;
import io.benchline.testsupport.LocalPackageIndex;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Wheels of locked packages from a real (local) package index, checked against the lock's hashes. */
class WheelVendorTest {
    static final LocalPackageIndex.Wheel RAILS = LocalPackageIndex.wheel("bench-rails", "1.2.0", "bench_rails",
            "LIMIT = 5.2\n");
    static final LocalPackageIndex.Wheel UNITS = LocalPackageIndex.wheel("si_units", "0.3", "si_units", "V = 'V'\n");

    static final StationEnvironment LINUX_311 = StationEnvironment.of("linux-x86_64", "3.11");

    private final LocalPackageIndex index = new LocalPackageIndex().add(RAILS).add(UNITS);
    private final List<String> logged = new ArrayList<>();

    @TempDir
    Path temp;

    @AfterEach
    void stop() {
        index.close();
    }

    private WheelVendor.Vendored vendor(String lockFile, String lock) {
        BuildLog log = new BuildLog("dep_test", 100, lines -> {
            lines.forEach(l -> logged.add(l.text()));
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        });
        try (log) {
            return new WheelVendor(new WheelVendor.Settings(index.url(), "linux-x86_64", 1_000_000, 2_000_000,
                    Duration.ofSeconds(10))).vendor(LockFile.read(lockFile, lock, LINUX_311), "3.11",
                    temp.resolve("wheels"), Deadline.forBuild(Duration.ofMinutes(1)), log);
        }
    }


    @Test
    void uvLockedWheelsAreDownloadedAndChecked() throws Exception {
        WheelVendor.Vendored vendored = vendor("uv.lock", LocalPackageIndex.uvLock("power-board", ">=3.11", UNITS, RAILS));
        assertThat(vendored.platform()).isEqualTo("any");
        assertThat(vendored.wheels()).extracting(WheelVendor.Wheel::filename)
                .containsExactly(RAILS.filename(), UNITS.filename());
        assertThat(Files.readAllBytes(vendored.wheels().get(0).file())).isEqualTo(RAILS.bytes());
        assertThat(vendored.wheels().get(0).sha256()).isEqualTo(RAILS.sha256());
        assertThat(index.downloads).containsExactlyInAnyOrder(RAILS.filename(), UNITS.filename());
    }

    @Test
    void packagesForOtherEnvironmentsAreLeftOutAndLogged() {
        // pywin32 has no wheel for Linux at all: vendoring it would fail the build
        String lock = LocalPackageIndex.uvLock("power-board", ">=3.11", RAILS, UNITS)
                .replace("source = { virtual = \".\" }\n", "source = { virtual = \".\" }\ndependencies = [\n"
                        + "    { name = \"bench-rails\" },\n"
                        + "    { name = \"pywin32\", marker = \"sys_platform == 'win32'\" },\n"
                        + "]\n\n[package.dev-dependencies]\ndev = [{ name = \"si-units\" }]\n")
                + "[[package]]\nname = \"pywin32\"\nversion = \"308\"\n"
                + "source = { registry = \"https://pypi.org/simple\" }\n"
                + "wheels = [{ url = \"https://x/pywin32-308-cp311-cp311-win_amd64.whl\", hash = \"sha256:"
                + "e".repeat(64) + "\" }]\n";
        WheelVendor.Vendored vendored = vendor("uv.lock", lock);
        assertThat(vendored.wheels()).extracting(WheelVendor.Wheel::filename).containsExactly(RAILS.filename());
        assertThat(index.downloads).containsExactly(RAILS.filename());
        assertThat(logged).contains("package pywin32 308 left out: sys_platform == 'win32' is false on linux-x86_64,"
                + " python 3.11", "packages left out as nothing the station installs depends on them (dev dependencies,"
                + " extras nobody requests, versions for other environments): si_units 0.3");
    }

    @Test
    void pylockAndPinnedRequirementsWorkTooOnAnHtmlIndex() {
        index.htmlOnly();
        String pylock = "lock-version = \"1.0\"\ncreated-by = \"uv\"\n\n[[packages]]\nname = \"bench-rails\"\n"
                + "version = \"1.2.0\"\nwheels = [{ name = \"" + RAILS.filename() + "\", url = \"https://x/"
                + RAILS.filename() + "\", hashes = { sha256 = \"" + RAILS.sha256() + "\" } }]\n";
        assertThat(vendor("pylock.toml", pylock).wheels()).extracting(WheelVendor.Wheel::filename)
                .containsExactly(RAILS.filename());
        String requirements = "# pinned by uv export\nbench-rails==1.2.0 \\\n    --hash=sha256:" + RAILS.sha256()
                + "\nSI.Units==0.3 --hash=sha256:" + UNITS.sha256() + "  # comment\n";
        assertThat(vendor("requirements.txt", requirements).wheels()).hasSize(2);
    }

    @Test
    void aHashTheLockDoesNotNameFailsTheBuildNamingThePackage() {
        String wrong = "0".repeat(64);
        String lock = "bench-rails==1.2.0 --hash=sha256:" + wrong + "\n";
        // The index states the real hash: no file fits the lock.
        assertThatThrownBy(() -> vendor("requirements.txt", lock)).isInstanceOf(BuildFailure.class)
                .hasMessageStartingWith("package bench-rails 1.2.0: no wheel for linux-x86_64 and python 3.11");
        // An index that states the lock's hash but serves other bytes: the download is checked.
        index.stateHash(RAILS.filename(), wrong);
        assertThatThrownBy(() -> vendor("requirements.txt", lock)).isInstanceOf(BuildFailure.class)
                .hasMessage("package bench-rails 1.2.0: " + RAILS.filename() + " has sha256 " + RAILS.sha256()
                        + ", which the lock does not name (it names " + wrong + ")");
    }

    @Test
    void aPackageTheIndexDoesNotHaveFailsTheBuild() {
        assertThatThrownBy(() -> vendor("requirements.txt", "numpy==2.1.3 --hash=sha256:" + "a".repeat(64)))
                .isInstanceOf(BuildFailure.class)
                .hasMessage("package numpy 2.1.3: the package index " + index.url() + "/ does not have it");
    }

    @Test
    void unusableLocksAreRefusedWithTheLine() {
        assertThatThrownBy(() -> LockFile.read("requirements.txt", "bench-rails>=1.0\n", LINUX_311))
                .hasMessageStartingWith("requirements.txt line 1: 'bench-rails>=1.0' is not pinned");
        assertThatThrownBy(() -> LockFile.read("requirements.txt", "# x\nbench-rails==1.2.0\n", LINUX_311))
                .hasMessageStartingWith("requirements.txt line 2: bench-rails==1.2.0 has no --hash=sha256:");
        assertThatThrownBy(() -> LockFile.read("requirements.txt", "-e .\n", LINUX_311))
                .hasMessageStartingWith("requirements.txt line 1: options such as '-e'");
        assertThatThrownBy(() -> LockFile.read("uv.lock", "[[package]]\nname = \"x\"\nversion = \"1\"\n"
                + "source = { git = \"https://github.com/x/x\" }\n", LINUX_311)).hasMessageContaining("comes from git");
        assertThatThrownBy(() -> LockFile.read("uv.lock", "[[package]]\nname = \"x\"\nversion = \"1\"\n"
                + "source = { registry = \"https://pypi.org/simple\" }\nsdist = { url = \"https://x/x-1.tar.gz\" }\n",
                LINUX_311))
                .hasMessageContaining("locks no wheel");
    }

    @Test
    void wheelTagsFitTheStation() {
        assertThat(WheelTags.parse("numpy-2.1.3-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
                .orElseThrow().fits("linux-x86_64", 11)).isTrue();
        assertThat(WheelTags.parse("numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.whl").orElseThrow()
                .fits("linux-x86_64", 11)).isFalse();
        assertThat(WheelTags.parse("numpy-2.1.3-cp311-cp311-win_amd64.whl").orElseThrow()
                .fits("linux-x86_64", 11)).isFalse();
        assertThat(WheelTags.parse("cryptography-43.0.0-cp39-abi3-manylinux_2_28_aarch64.whl").orElseThrow()
                .fits("linux-aarch64", 12)).isTrue();
        assertThat(WheelTags.parse("six-1.16.0-py2.py3-none-any.whl").orElseThrow().universal()).isTrue();
        assertThat(WheelTags.parse("not-a-wheel.tar.gz")).isEmpty();
    }
}
