package io.benchline.cli.agent;

import io.benchline.cli.agent.AgentMessages.Artifact;
import io.benchline.cli.agent.ArtifactVerifier.VerificationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArtifactVerifierTest {
    private final TestArtifacts signer = new TestArtifacts();

    @TempDir
    Path dir;

    private ArtifactVerifier verifier() throws Exception {
        return new ArtifactVerifier(TrustedKeys.file(signer.writeKeys(dir)));
    }

    private Path write(byte[] bytes) throws Exception {
        Path file = dir.resolve("artifact.zip");
        Files.write(file, bytes);
        return file;
    }

    @Test
    void goodSignatureAndContentPass() throws Exception {
        byte[] zip = TestArtifacts.procedureZip("print('hi')\n");
        Artifact artifact = signer.artifact(zip);

        assertThatCode(() -> verifier().verify(write(zip), artifact)).doesNotThrowAnyException();
        assertThat(ArtifactVerifier.sha256(write(zip))).isEqualTo(artifact.digest());
    }

    @Test
    void tamperedByteFails() throws Exception {
        byte[] zip = TestArtifacts.procedureZip("print('hi')\n");
        Artifact artifact = signer.artifact(zip);
        byte[] tampered = zip.clone();
        tampered[tampered.length / 2] ^= 1;

        assertThatThrownBy(() -> verifier().verify(write(tampered), artifact))
                .isInstanceOf(VerificationException.class).hasMessageContaining("digest");
    }

    @Test
    void wrongSizeFails() throws Exception {
        byte[] zip = TestArtifacts.procedureZip("print('hi')\n");
        Artifact a = signer.artifact(zip);
        Artifact wrongSize = new Artifact(a.digest(), a.sizeBytes() + 1, a.signature(), a.keyId());

        assertThatThrownBy(() -> verifier().verify(write(zip), wrongSize))
                .isInstanceOf(VerificationException.class).hasMessageContaining("bytes");
    }

    @Test
    void signatureOverAnotherDigestFails() throws Exception {
        byte[] zip = TestArtifacts.procedureZip("print('hi')\n");
        Artifact a = signer.artifact(zip);
        String otherSignature = signer.sign(TestArtifacts.digest("other".getBytes()));
        Artifact forged = new Artifact(a.digest(), a.sizeBytes(), otherSignature, a.keyId());

        assertThatThrownBy(() -> verifier().verifySignature(forged))
                .isInstanceOf(VerificationException.class).hasMessageContaining("does not verify");
    }

    @Test
    void tamperedSignatureFails() throws Exception {
        byte[] zip = TestArtifacts.procedureZip("print('hi')\n");
        Artifact a = signer.artifact(zip);
        byte[] sig = Base64.getDecoder().decode(a.signature());
        sig[0] ^= 1;
        Artifact forged = new Artifact(a.digest(), a.sizeBytes(), Base64.getEncoder().encodeToString(sig), a.keyId());

        assertThatThrownBy(() -> verifier().verifySignature(forged)).isInstanceOf(VerificationException.class);
    }

    @Test
    void unknownKeyFails() throws Exception {
        TestArtifacts stranger = new TestArtifacts();
        byte[] zip = TestArtifacts.procedureZip("print('hi')\n");
        Artifact byStranger = stranger.artifact(zip);

        assertThatThrownBy(() -> verifier().verify(write(zip), byStranger))
                .isInstanceOf(VerificationException.class).hasMessageContaining("not trusted");
    }

    @Test
    void strangerSigningUnderTheTrustedKeyIdFails() throws Exception {
        TestArtifacts stranger = new TestArtifacts();
        byte[] zip = TestArtifacts.procedureZip("print('hi')\n");
        Artifact a = stranger.artifact(zip);
        Artifact claimed = new Artifact(a.digest(), a.sizeBytes(), a.signature(), signer.keyId);

        assertThatThrownBy(() -> verifier().verifySignature(claimed))
                .isInstanceOf(VerificationException.class).hasMessageContaining("does not verify");
    }

    @Test
    void malformedDigestFails() throws Exception {
        Artifact bad = new Artifact("md5:abc", 1, signer.sign("md5:abc"), signer.keyId);

        assertThatThrownBy(() -> verifier().verifySignature(bad)).isInstanceOf(VerificationException.class);
    }

    @Test
    void keyIdIsDerivedFromTheSpki() {
        assertThat(signer.keyId).matches("^ed25519-[0-9a-f]{16}$");
    }
}
