package io.benchline.artifacts.app;

import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Key handling without the service: a configured PKCS#8 key yields its real public key and key id. */
class Ed25519Test {

    @Test
    void aPkcs8PrivateKeyYieldsItsOwnPublicKey() {
        KeyPair generated = Ed25519.generate();

        KeyPair rebuilt = Ed25519.fromPkcs8(generated.getPrivate().getEncoded());

        assertThat(rebuilt.getPublic().getEncoded()).isEqualTo(generated.getPublic().getEncoded());
        assertThat(Ed25519.keyId(rebuilt.getPublic().getEncoded()))
                .isEqualTo(Ed25519.keyId(generated.getPublic().getEncoded())).matches("ed25519-[0-9a-f]{16}");
        String digest = "sha256:" + "0f".repeat(32);
        String signature = Ed25519.sign(rebuilt.getPrivate(), digest);
        assertThat(Ed25519.verify(generated.getPublic(), digest, signature)).isTrue();
        assertThat(Ed25519.verify(generated.getPublic(), digest + "0", signature)).isFalse();
        assertThat(Ed25519.verify(Ed25519.publicKey(generated.getPublic().getEncoded()), digest, signature)).isTrue();
    }

    @Test
    void signaturesAreDeterministicBase64Of64Bytes() {
        KeyPair pair = Ed25519.generate();
        String a = Ed25519.sign(pair.getPrivate(), "sha256:abc");
        assertThat(a).isEqualTo(Ed25519.sign(pair.getPrivate(), "sha256:abc"));
        assertThat(Base64.getDecoder().decode(a)).hasSize(64);
        assertThat(Ed25519.verify(pair.getPublic(), "sha256:abc", "not base64!")).isFalse();
    }

    @Test
    void somethingElseThanAnEd25519KeyIsRefused() {
        assertThatThrownBy(() -> Ed25519.fromPkcs8(new byte[] {1, 2, 3})).isInstanceOf(IllegalArgumentException.class);
    }
}
