package io.benchline.webhooks.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.common.api.ProblemException;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Lenient readers for provider payloads. Real payloads differ by age and product (legacy GitHub Services,
 * GHES, GitLab system hooks): a missing or oddly typed optional field yields null, never an exception.
 */
final class Payloads {
    static final String ZERO_SHA = "0000000000000000000000000000000000000000";
    private static final Pattern SHA1_HEX = Pattern.compile("^[0-9a-f]{40}$");
    /** Older GitLab and GitHub Services payloads wrote times like {@code 2013-05-13 18:18:08 UTC}. */
    private static final List<DateTimeFormatter> LEGACY_TIME_FORMATS = List.of(
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z", Locale.ROOT),
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.ROOT),
            DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss Z", Locale.ROOT));

    private Payloads() {
    }

    /** The field as text if it is a JSON string (or number), else null. */
    static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode value = node.get(field);
        if (value == null || !(value.isTextual() || value.isNumber())) {
            return null;
        }
        String text = value.asText();
        return text.isEmpty() ? null : text;
    }

    /** The field if it is a JSON object, else null. */
    static JsonNode object(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode value = node.get(field);
        return value != null && value.isObject() ? value : null;
    }

    static boolean bool(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isBoolean() && value.booleanValue();
    }

    /** True for the all-zero object id git uses for "no commit" (created or deleted refs). */
    static boolean isZeroSha(String sha) {
        return sha != null && !sha.isEmpty() && sha.chars().allMatch(c -> c == '0');
    }

    /** A commit id in the form the event contract requires (40 lower-case hex digits); 400 otherwise. */
    static String commitSha(String field, String sha) {
        String lower = sha.trim().toLowerCase(Locale.ROOT);
        if (!SHA1_HEX.matcher(lower).matches()) {
            throw ProblemException.invalid(field, "is not a 40-digit hexadecimal commit id: " + abbreviate(sha));
        }
        return lower;
    }

    /** A commit time from an ISO string, a legacy "date time zone" string or Unix seconds; null if unreadable. */
    static Instant timestamp(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        try {
            if (value.isIntegralNumber()) {
                return Instant.ofEpochSecond(value.longValue());
            }
            if (!value.isTextual()) {
                return null;
            }
            String text = value.asText().trim();
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException notIsoOffset) {
                // fall through to the other shapes
            }
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException notInstant) {
                // fall through
            }
            for (DateTimeFormatter format : LEGACY_TIME_FORMATS) {
                try {
                    return ZonedDateTime.parse(text, format).toInstant();
                } catch (DateTimeParseException ignored) {
                    // try the next shape
                }
            }
            return null;
        } catch (DateTimeException | ArithmeticException e) {
            return null;
        }
    }

    /** A git ref split into its kind and short name; empty for refs that are neither branches nor tags. */
    static Optional<GitRef> parseRef(String ref) {
        if (ref.startsWith("refs/heads/") && ref.length() > "refs/heads/".length()) {
            return Optional.of(new GitRef(ref, "branch", ref.substring("refs/heads/".length())));
        }
        if (ref.startsWith("refs/tags/") && ref.length() > "refs/tags/".length()) {
            return Optional.of(new GitRef(ref, "tag", ref.substring("refs/tags/".length())));
        }
        return Optional.empty();
    }

    static ProblemException badRequest(String detail) {
        return new ProblemException(400, "invalid-request", "Invalid request", detail);
    }

    static String abbreviate(String value) {
        return value.length() <= 80 ? value : value.substring(0, 80) + "…";
    }

    record GitRef(String full, String type, String name) {
        boolean isBranch() {
            return "branch".equals(type);
        }
    }
}
