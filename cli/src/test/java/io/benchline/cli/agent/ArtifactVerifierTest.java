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
    private static final String ORG = TestArtifacts.ORG;
    private static final String PRC = TestArtifacts.PROCEDURE;
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

        assertThatCode(() -> verifier().verify(write(zip), artifact, ORG, PRC)).doesNotThrowAnyException();
        assertThat(ArtifactVerifier.sha256(write(zip))).isEqualTo(artifact.digest());
    }

    @Test
    void tamperedByteFails() throws Exception {
        byte[] zip = TestArtifacts.procedureZip("print('hi')\n");
        Artifact artifact = signer.artifact(zip);
        byte[] tampered = zip.clone();
        tampered[tampered.length / 2] ^= 1;

        assertThatThrownBy(() -> verifier().verify(write(tampered), artifact, ORG, PRC))
                .isInstanceOf(VerificationException.class).hasMessageContaining("digest");
    }

    @Test
    void wrongSizeFails() throws Exception {
        byte[] zip = TestArtifacts.procedureZip("print('hi')\n");
        Artifact a = signer.artifact(zip);
        Artifact wrongSize = new Artifact(a.digest(), a.sizeBytes() + 1, a.signature(), a.keyId());

        assertThatThrownBy(() -> verifier().verify(write(zip), wrongSize, ORG, PRC))
                .isInstanceOf(VerificationException.class).hasMessageContaining("bytes");
    }

    @Test
    void signatureOverAnotherDigestFails() throws Exception {
        byte[] zip = TestArtifacts.procedureZip("print('hi')\n");
        Artifact a = signer.artifact(zip);
        String otherSignature = signer.sign(TestArtifacts.digest("other".getBytes()));
        Artifact forged = new Artifact(a.digest(), a.sizeBytes(), otherSignature, a.keyId());

        assertThatThrownBy(() -> verifier().verifySignature(forged, ORG, PRC))
                .isInstanceOf(VerificationException.class).hasMessageContaining("does not verify");
    }

    @Test
    void tamperedSignatureFails() throws Exception {
        byte[] zip = TestArtifacts.procedureZip("print('hi')\n");
        Artifact a = signer.artifact(zip);
        byte[] sig = Base64.getDecoder().decode(a.signature());
        sig[0] ^= 1;
        Artifact forged = new Artifact(a.digest(), a.sizeBytes(), Base64.getEncoder().encodeToString(sig), a.keyId());

        assertThatThrownBy(() -> verifier().verifySignature(forged, ORG, PRC)).isInstanceOf(VerificationException.class);
    }

    @Test
    void unknownKeyFails() throws Exception {
        TestArtifacts stranger = new TestArtifacts();
        byte[] zip = TestArtifacts.procedureZip("print('hi')\n");
        Artifact byStranger = stranger.artifact(zip);

        assertThatThrownBy(() -> verifier().verify(write(zip), byStranger, ORG, PRC))
                .isInstanceOf(VerificationException.class).hasMessageContaining("not trusted");
    }

    @Test
    void strangerSigningUnderTheTrustedKeyIdFails() throws Exception {
        TestArtifacts stranger = new TestArtifacts();
        byte[] zip = TestArtifacts.procedureZip("print('hi')\n");
        Artifact a = stranger.artifact(zip);
        Artifact claimed = new Artifact(a.digest(), a.sizeBytes(), a.signature(), signer.keyId);

        assertThatThrownBy(() -> verifier().verifySignature(claimed, ORG, PRC))
                .isInstanceOf(VerificationException.class).hasMessageContaining("does not verify");
    }

    @Test
    void malformedDigestFails() throws Exception {
        Artifact bad = new Artifact("md5:abc", 1, signer.sign("md5:abc"), signer.keyId);

        assertThatThrownBy(() -> verifier().verifySignature(bad, ORG, PRC)).isInstanceOf(VerificationException.class);
    }

    @Test
    void aSignatureForAnotherOrganizationOrProcedureFails() throws Exception {
        byte[] zip = TestArtifacts.procedureZip("print('hi')\n");
        Artifact otherOrg = signer.artifactFor(zip, "org_someoneelse", PRC);
        Artifact otherProcedure = signer.artifactFor(zip, ORG, "prc_another");

        assertThatThrownBy(() -> verifier().verifySignature(otherOrg, ORG, PRC))
                .isInstanceOf(VerificationException.class).hasMessageContaining("does not verify")
                .hasMessageContaining(ORG);
        assertThatThrownBy(() -> verifier().verifySignature(otherProcedure, ORG, PRC))
                .isInstanceOf(VerificationException.class).hasMessageContaining("does not verify");
        // Claiming the other organization does not help either: the key is this organization's.
        assertThatThrownBy(() -> verifier().verifySignature(otherOrg, "org_someoneelse", PRC))
                .isInstanceOf(VerificationException.class).hasMessageContaining("belongs to organization " + ORG);
    }

    @Test
    void aKeyOfAnotherOrganizationIsRefusedEvenWhenTrusted() throws Exception {
        TestArtifacts theirs = new TestArtifacts();
        Path file = dir.resolve("both.json");
        Files.writeString(file, "{\"keys\":[" + signer.keyJson("active").replace("\"status\"",
                "\"organization_id\":\"" + ORG + "\",\"status\"") + "," + theirs.keyJson("active").replace("\"status\"",
                "\"organization_id\":\"org_theirs\",\"status\"") + "]}");
        ArtifactVerifier both = new ArtifactVerifier(TrustedKeys.file(file));
        byte[] zip = TestArtifacts.procedureZip("print('hi')\n");
        Artifact signedByTheirKeyForUs = theirs.artifact(zip);

        assertThatThrownBy(() -> both.verifySignature(signedByTheirKeyForUs, ORG, PRC))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("belongs to organization org_theirs");
        assertThatCode(() -> both.verifySignature(signer.artifact(zip), ORG, PRC)).doesNotThrowAnyException();
    }

    @Test
    void theMessageIsTheDocumentedText() {
        assertThat(ArtifactVerifier.message("sha256:" + "ab".repeat(32), "org_1", "prc_2")).isEqualTo(
                "benchline-artifact-signature-v1\norganization:org_1\nprocedure:prc_2\ndigest:sha256:"
                        + "ab".repeat(32) + "\n");
    }

    @Test
    void keyIdIsDerivedFromTheSpki() {
        assertThat(signer.keyId).matches("^ed25519-[0-9a-f]{16}$");
    }
}
