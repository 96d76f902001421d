package io.benchline.common.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.time.Instant;

/**
 * Strict JSON for every service's ObjectMapper (the one Quarkus REST reads request bodies with): a value of the wrong
 * JSON type is refused instead of converted, so {@code "auto_push": " "} or {@code "true"} is not a boolean,
 * {@code "name": 5} is not a name, {@code 1.5} or {@code "3"} is not an integer and {@code 1700000000} is not an
 * instant. Duplicate keys and anything after the value are errors, and no string may hold control characters or
 * unpaired surrogates (line breaks and tabs only in {@link MultiLine} fields). Every refusal is a Jackson
 * {@code MismatchedInputException}, which {@link ProblemMapper} answers 400 naming the field.
 *
 * <p>Unknown properties stay ignored (Quarkus's default): the same mapper reads peers' responses, which may gain
 * fields before their readers know them, and a newer client may send a field an older service does not know yet.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        apply(mapper);
    }

    /** Last, so that its deserializers take precedence over those of the modules Quarkus registers. */
    @Override
    public int priority() {
        return MINIMUM_PRIORITY;
    }

    @SuppressWarnings("deprecation") // MapperFeature on a built mapper: the way Quarkus customizers configure it
    public static ObjectMapper apply(ObjectMapper mapper) {
        mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        for (LogicalType type : new LogicalType[] {LogicalType.Boolean, LogicalType.Integer, LogicalType.Float,
                LogicalType.DateTime, LogicalType.Enum}) {
            mapper.coercionConfigFor(type)
                    .setAcceptBlankAsEmpty(false)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        }
        for (LogicalType type : new LogicalType[] {LogicalType.Boolean, LogicalType.Integer, LogicalType.Float}) {
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        // A whole number is a valid JSON number where a decimal is expected, but not a boolean, name or instant.
        for (LogicalType type : new LogicalType[] {LogicalType.Boolean, LogicalType.DateTime, LogicalType.Enum}) {
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        for (LogicalType type : new LogicalType[] {LogicalType.POJO, LogicalType.Collection, LogicalType.Array,
                LogicalType.Map}) {
            mapper.coercionConfigFor(type)
                    .setAcceptBlankAsEmpty(false)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        mapper.registerModule(new SimpleModule("benchline-strict-text")
                .addDeserializer(String.class, new TextDeserializer(false))
                .addDeserializer(Instant.class, new InstantText()));
        return mapper;
    }

    /** An instant is an RFC 3339 string; jackson-datatype-jsr310 also takes epoch numbers, whatever the coercion rules. */
    static final class InstantText extends StdScalarDeserializer<Instant> {
        InstantText() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.hasToken(JsonToken.VALUE_STRING)) {
                return (Instant) ctxt.handleUnexpectedToken(Instant.class, p);
            }
            return InstantDeserializer.INSTANT.deserialize(p, ctxt);
        }

        @Override
        public LogicalType logicalType() {
            return LogicalType.DateTime;
        }
    }

    /** Jackson's own string rules (with the coercions above), then {@link Text}'s. */
    static final class TextDeserializer extends StdScalarDeserializer<String> implements ContextualDeserializer {
        private final boolean multiLine;

        TextDeserializer(boolean multiLine) {
            super(String.class);
            this.multiLine = multiLine;
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String value = StringDeserializer.instance.deserialize(p, ctxt);
            String problem = value == null ? null : Text.problem(value, multiLine);
            if (problem != null) {
                throw InvalidFormatException.from(p, problem, value, String.class);
            }
            return value;
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) {
            boolean lines = property != null && property.getAnnotation(MultiLine.class) != null;
            return lines == multiLine ? this : new TextDeserializer(lines);
        }

        @Override
        public LogicalType logicalType() {
            return LogicalType.Textual;
        }

        @Override
        public boolean isCachable() {
            return true;
        }
    }
}
