package io.benchline.events;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** asyncapi.yaml documents exactly the topics, event types and schemas the code uses. */
class AsyncApiTest {
    private static Map<String, Object> doc;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = AsyncApiTest.class.getResourceAsStream("/asyncapi.yaml")) {
            assertThat(in).as("asyncapi.yaml on the classpath").isNotNull();
            doc = new Yaml().load(in);
        }
    }

    @Test
    void hasOneChannelPerTopic() {
        Set<String> addresses = new HashSet<>();
        map(doc, "channels").values().forEach(channel -> addresses.add((String) ((Map<?, ?>) channel).get("address")));
        assertThat(addresses).containsExactlyInAnyOrderElementsOf(Topics.ALL);
    }

    @Test
    void eachChannelCarriesItsTopicsEventTypeWithExistingSchemas() {
        Map<String, Object> messages = map(map(doc, "components"), "messages");
        for (Object value : map(doc, "channels").values()) {
            Map<String, Object> channel = cast(value);
            String topic = (String) channel.get("address");
            String type = EventTypes.TYPE_OF_TOPIC.get(topic);
            Map<String, Object> channelMessages = map(channel, "messages");
            assertThat(channelMessages).as(topic).hasSize(1);
            String ref = (String) cast(channelMessages.values().iterator().next()).get("$ref");
            Map<String, Object> message = cast(messages.get(ref.substring(ref.lastIndexOf('/') + 1)));
            assertThat(message.get("name")).as(topic).isEqualTo(type);
            String payload = message.get("payload").toString();
            assertThat(payload).contains("schemas/envelope.schema.json")
                    .contains("schemas/" + EventTypes.schemaFile(type));
            assertThat(AsyncApiTest.class.getResource("/schemas/" + EventTypes.schemaFile(type))).as(topic).isNotNull();
        }
    }

    @Test
    void everyChannelHasAProducer() {
        List<Object> sent = map(doc, "operations").values().stream()
                .map(op -> cast(op)).filter(op -> "send".equals(op.get("action")))
                .map(op -> cast(op.get("channel")).get("$ref")).map(Object.class::cast).toList();
        assertThat(sent).hasSize(Topics.ALL.size());
    }

    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        assertThat(parent).containsKey(key);
        return cast(parent.get(key));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object value) {
        return (Map<String, Object>) value;
    }
}
