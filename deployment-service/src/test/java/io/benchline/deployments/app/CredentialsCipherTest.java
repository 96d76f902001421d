package io.benchline.deployments.app;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** AES-GCM sealing of repository credentials (plain unit test). */
class CredentialsCipherTest {
    private static final String KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef"
            .getBytes(StandardCharsets.US_ASCII));
    private static final String OTHER_KEY = Base64.getEncoder().encodeToString("fedcba9876543210fedcba9876543210"
            .getBytes(StandardCharsets.US_ASCII));

    @Test
    void sealsWithAFreshNonceAndOpensWhatItSealed() {
        CredentialsCipher cipher = new CredentialsCipher(KEY);
        CredentialsCipher.Sealed a = cipher.seal("prc_1", "token", "{\"token\":\"ghp_secret\"}");
        CredentialsCipher.Sealed b = cipher.seal("prc_1", "token", "{\"token\":\"ghp_secret\"}");
        assertThat(a.nonce()).hasSize(12).isNotEqualTo(b.nonce());
        assertThat(a.ciphertext()).isNotEqualTo(b.ciphertext());
        assertThat(new String(a.ciphertext(), StandardCharsets.ISO_8859_1)).doesNotContain("ghp_secret");
        assertThat(a.keyId()).matches("sk-[0-9a-f]{16}").isEqualTo(cipher.keyId());
        assertThat(cipher.open("prc_1", "token", a)).isEqualTo("{\"token\":\"ghp_secret\"}");
    }

    @Test
    void aValueOpensOnlyForItsProcedureTypeAndKey() {
        CredentialsCipher cipher = new CredentialsCipher(KEY);
        CredentialsCipher.Sealed sealed = cipher.seal("prc_1", "token", "x");
        assertThatThrownBy(() -> cipher.open("prc_2", "token", sealed)).hasMessageContaining("do not decrypt");
        assertThatThrownBy(() -> cipher.open("prc_1", "ssh_key", sealed)).hasMessageContaining("do not decrypt");
        byte[] tampered = sealed.ciphertext().clone();
        tampered[0] ^= 1;
        assertThatThrownBy(() -> cipher.open("prc_1", "token",
                new CredentialsCipher.Sealed(sealed.keyId(), sealed.nonce(), tampered))).hasMessageContaining("do not decrypt");
        CredentialsCipher other = new CredentialsCipher(OTHER_KEY);
        assertThat(other.keyId()).isNotEqualTo(cipher.keyId());
        assertThatThrownBy(() -> other.open("prc_1", "token", sealed)).hasMessageContaining("encrypted with key "
                + cipher.keyId());
    }

    @Test
    void refusesToStartWithoutAValidKey() {
        assertThatThrownBy(() -> new CredentialsCipher(() -> Optional.empty()))
                .hasMessageContaining("BENCHLINE_SECRETS_KEY").hasMessageContaining("openssl rand -base64 32");
        assertThatThrownBy(() -> new CredentialsCipher("not base64!")).hasMessageContaining("not base64");
        assertThatThrownBy(() -> new CredentialsCipher(Base64.getEncoder().encodeToString(new byte[16])))
                .hasMessageContaining("must be 32 bytes");
    }
}
