package io.benchline.startup;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class InternalTokenCheckTest {

    @Test
    void aMissingOrBlankTokenIsRefusedNamingTheKeyAndTheVariable() {
        for (Optional<String> token : List.of(Optional.<String>empty(), Optional.of(""), Optional.of("   "))) {
            assertThat(InternalTokenCheck.problem(token)).as("%s", token).hasValueSatisfying(message ->
                    assertThat(message)
                            .startsWith("benchline.auth.internal-token is not set")
                            .contains("BENCHLINE_AUTH_INTERNAL_TOKEN")
                            .contains("refusing to start")
                            .doesNotContain("\n"));
        }
    }

    @Test
    void placeholdersShippedInTheRepositoryAreRefused() {
        for (String placeholder : List.of("change-me", "CHANGE-ME", "change-me-internal-token",
                "changeme-please-0123456789", "dev-internal-token", " dev-internal-token ",
                "changeit-changeit-changeit")) {
            assertThat(InternalTokenCheck.problem(Optional.of(placeholder))).as(placeholder)
                    .hasValueSatisfying(message -> assertThat(message).contains("is the placeholder")
                            .contains("BENCHLINE_AUTH_INTERNAL_TOKEN"));
        }
    }

    @Test
    void aShortTokenIsRefusedWithoutPrintingIt() {
        assertThat(InternalTokenCheck.problem(Optional.of("s3cr3t-15-chars"))).hasValueSatisfying(message ->
                assertThat(message).contains("is only 15 characters long").doesNotContain("s3cr3t"));
    }

    @Test
    void aRandomTokenOfSixteenCharactersOrMoreIsAccepted() {
        assertThat(InternalTokenCheck.problem(Optional.of("0123456789abcdef"))).isEmpty();
        assertThat(InternalTokenCheck.problem(Optional.of("3f9c2a7d1e5b8c4f6a0d9e2b7c1f5a3d8e6b4c2a0f9d7e5b")))
                .isEmpty();
    }
}
