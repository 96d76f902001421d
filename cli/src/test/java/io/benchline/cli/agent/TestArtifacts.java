package io.benchline.cli.agent;

import io.benchline.cli.agent.AgentMessages.Artifact;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Archives like build-worker makes them, signed like artifact-store signs them, with a fresh Ed25519 key. */
final class TestArtifacts {
    /** The organization and procedure artifacts are signed for unless a test names others. */
    static final String ORG = FakeStation.ORG;
    static final String PROCEDURE = "prc_01jd0000000000000000000001";
    final KeyPair keys;
    final String keyId;

    TestArtifacts() {
        try {
            keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        keyId = TrustedKeys.keyId(keys.getPublic());
    }

    /** The trusted keys file as GET /v2/keys prints it. */
    String keysJson() {
        return "{\"organization_id\":\"" + ORG + "\",\"keys\":[" + keyJson("active") + "]}";
    }

    /** This key as one entry of a key list. */
    String keyJson(String status) {
        return "{\"id\":\"" + keyId + "\",\"key_id\":\"" + keyId + "\",\"algorithm\":\"Ed25519\",\"public_key\":\""
                + Base64.getEncoder().encodeToString(keys.getPublic().getEncoded())
                + "\",\"created_at\":\"2026-01-01T00:00:00Z\",\"status\":\"" + status + "\"}";
    }

    /** A key list of {@code org} as the dispatcher serves it ({@code GET /agent/v1/keys}). */
    static String keyList(String org, String... entries) {
        return "{\"organization_id\":\"" + org + "\",\"keys\":[" + String.join(",", entries) + "]}";
    }

    Path writeKeys(Path dir) throws IOException {
        Path file = dir.resolve("trusted-keys.json");
        Files.writeString(file, keysJson());
        return file;
    }

    /** A zip with manifest.json first (entry point main.py) and main.py. */
    static byte[] procedureZip(String script) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("manifest.json", "{\"schema_version\":1,\"procedure\":{\"name\":\"voltage-check\",\"language\":"
                + "\"python\",\"runtime_version\":\"3.11\",\"platform\":\"any\",\"entry_point\":\"main.py\"},"
                + "\"commit\":{\"sha\":\"abc\",\"message\":\"m\",\"author\":\"a\",\"branch\":\"main\"},\"files\":[]}");
        files.put("main.py", script);
        return zip(files);
    }

    static byte[] zip(Map<String, String> files) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                for (Map.Entry<String, String> e : files.entrySet()) {
                    zip.putNextEntry(new ZipEntry(e.getKey()));
                    zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                    zip.closeEntry();
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String digest(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The signature artifact-store makes for this test's organization and procedure. */
    String sign(String digest) {
        return sign(digest, ORG, PROCEDURE);
    }

    /** Ed25519 over the documented v1 message, written out here rather than taken from the code under test. */
    String sign(String digest, String org, String procedure) {
        String message = "benchline-artifact-signature-v1\norganization:" + org + "\nprocedure:" + procedure
                + "\ndigest:" + digest + "\n";
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(keys.getPrivate());
            signer.update(message.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    Artifact artifact(byte[] zip) {
        String digest = digest(zip);
        return new Artifact(digest, zip.length, sign(digest), keyId);
    }

    /** Signed for another organization or procedure (what that organization's build would carry). */
    Artifact artifactFor(byte[] zip, String org, String procedure) {
        String digest = digest(zip);
        return new Artifact(digest, zip.length, sign(digest, org, procedure), keyId);
    }
}
