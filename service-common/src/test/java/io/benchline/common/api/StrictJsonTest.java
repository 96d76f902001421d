package io.benchline.common.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StrictJsonTest {
    private static final ObjectMapper JSON = StrictJson.apply(new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .registerModule(new JavaTimeModule()));

    record Procedure(String name, Boolean autoPush, Long pointerVersion, int count, Double ratio, Instant at,
            List<String> branches, Repository repository) {
    }

    record Repository(String cloneUrl) {
    }

    record Note(@MultiLine String note, @MultiLine List<String> lines, String name) {
    }

    @Test
    void wellTypedValuesAreRead() throws Exception {
        Procedure p = JSON.readValue("""
                {"name":"voltage-check","auto_push":false,"pointer_version":12,"count":3,"ratio":1.5,
                 "at":"2026-01-31T12:00:00Z","branches":["main","feature/ä😀"],"repository":{"clone_url":"https://x/y"}}
                """, Procedure.class);
        assertThat(p.name()).isEqualTo("voltage-check");
        assertThat(p.autoPush()).isFalse();
        assertThat(p.pointerVersion()).isEqualTo(12L);
        assertThat(p.ratio()).isEqualTo(1.5);
        assertThat(p.at()).isEqualTo(Instant.parse("2026-01-31T12:00:00Z"));
        assertThat(p.branches()).containsExactly("main", "feature/ä😀");
        assertThat(JSON.readValue("{\"ratio\":2}", Procedure.class).ratio()).isEqualTo(2.0);
        assertThat(JSON.readValue("{\"name\":null}", Procedure.class).name()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"auto_push\":\" \"}", "{\"auto_push\":\"true\"}", "{\"auto_push\":\"\"}", "{\"auto_push\":1}",
            "{\"auto_push\":{}}", "{\"auto_push\":[]}",
            "{\"name\":5}", "{\"name\":1.5}", "{\"name\":true}", "{\"name\":{}}", "{\"name\":[\"a\"]}",
            "{\"pointer_version\":\"3\"}", "{\"pointer_version\":1.5}", "{\"pointer_version\":1.0}",
            "{\"pointer_version\":true}", "{\"pointer_version\":\"\"}", "{\"pointer_version\":99999999999999999999}",
            "{\"count\":\"3\"}", "{\"count\":3000000000}", "{\"ratio\":\"1.5\"}", "{\"ratio\":true}",
            "{\"at\":1700000000}", "{\"at\":1.7e9}", "{\"at\":\"\"}", "{\"at\":\"yesterday\"}",
            "{\"branches\":\"main\"}", "{\"branches\":{}}", "{\"branches\":[1]}", "{\"branches\":[\"\\u0000\"]}",
            "{\"repository\":\"https://x/y\"}", "{\"repository\":[]}", "{\"repository\":\"\"}",
            "{\"repository\":{\"clone_url\":7}}",
            "{\"name\":\"a\",\"name\":\"b\"}", "{\"name\":\"a\"} {}", "{\"name\":\"a\"}]"})
    void wrongTypesAreRefused(String json) {
        assertThatThrownBy(() -> JSON.readValue(json, Procedure.class))
                .isInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\u0000", "a\\u0000b", "\\u0001", "line\\nbreak", "tab\\there", "cr\\r", "\\u001b[31m",
            "\\u007f", "\\u0085", "\\u009f", "\\ud800", "x\\udc00", "\\ud800x"})
    void controlCharactersAndBrokenUnicodeInTextAreRefused(String escaped) {
        String json = "{\"name\":\"" + escaped + "\"}";
        assertThatThrownBy(() -> JSON.readValue(json, Procedure.class))
                .isInstanceOf(MismatchedInputException.class)
                .satisfies(e -> assertThat(((MismatchedInputException) e).getPath().get(0).getFieldName())
                        .isEqualTo("name"));
    }

    @Test
    void multiLineFieldsTakeLineBreaksAndTabsButNoOtherControlCharacters() throws Exception {
        Note note = JSON.readValue("{\"note\":\"ripple fails\\n\\ton line 3\",\"lines\":[\"a\\nb\"]}", Note.class);
        assertThat(note.note()).isEqualTo("ripple fails\n\ton line 3");
        assertThat(note.lines()).containsExactly("a\nb");
        assertThatThrownBy(() -> JSON.readValue("{\"note\":\"a\\u0000\"}", Note.class))
                .isInstanceOf(MismatchedInputException.class);
        // a PEM key or a note from Windows
        assertThat(JSON.readValue("{\"note\":\"a\\r\\nb\"}", Note.class).note()).isEqualTo("a\r\nb");
        assertThatThrownBy(() -> JSON.readValue("{\"note\":\"a\\u000b\"}", Note.class))
                .isInstanceOf(MismatchedInputException.class);
        assertThatThrownBy(() -> JSON.readValue("{\"lines\":[\"\\u0007\"]}", Note.class))
                .isInstanceOf(MismatchedInputException.class);
        // only the annotated fields
        assertThatThrownBy(() -> JSON.readValue("{\"name\":\"a\\nb\"}", Note.class))
                .isInstanceOf(MismatchedInputException.class);
    }

    @Test
    void unknownPropertiesAreIgnored() throws Exception {
        assertThat(JSON.readValue("{\"name\":\"x\",\"added_later\":{\"a\":[1,\"\\u0000\"]}}", Procedure.class).name())
                .isEqualTo("x");
    }

    @Test
    void textRules() {
        assertThat(Text.problem("bench-01 ä 😀", false)).isNull();
        assertThat(Text.problem("a\u0000", false)).contains("NUL");
        assertThat(Text.problem("a\nb", false)).contains("\\u000a");
        assertThat(Text.problem("a\nb\tc", true)).isNull();
        assertThat(Text.problem("a\r\nb", true)).isNull();
        assertThat(Text.problem("a\u000bb", true)).contains("\\u000b");
        assertThat(Text.problem("\ud83d", false)).contains("surrogate");
    }
}
