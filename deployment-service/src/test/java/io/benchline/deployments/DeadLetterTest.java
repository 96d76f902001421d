package io.benchline.deployments;

import io.benchline.events.BuildStarted;
import io.benchline.events.EventCodec;
import io.benchline.events.EventTypes;
import io.benchline.events.Topics;
import io.benchline.testsupport.BenchlineInfra;
import io.benchline.testsupport.KafkaTestClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.benchline.deployments.TestSupport.KEY;
import static io.benchline.deployments.TestSupport.WAIT;
import static io.benchline.deployments.TestSupport.as;
import static io.benchline.deployments.TestSupport.awaitDeployments;
import static io.benchline.deployments.TestSupport.awaitStatus;
import static io.benchline.deployments.TestSupport.createProcedure;
import static io.benchline.deployments.TestSupport.newDeliveryId;
import static io.benchline.deployments.TestSupport.orgId;
import static io.benchline.deployments.TestSupport.push;
import static io.benchline.deployments.TestSupport.sendPush;
import static io.benchline.deployments.TestSupport.sha;
import static io.benchline.deployments.TestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

/** A message no handler can use goes to dead-letter-topic-&lt;topic&gt;; the channel goes on with the next one. */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_deployments"),
        @ResourceArg(name = "kafka", value = "true")})
class DeadLetterTest {

    private static List<String> deadLetters(String topic, String expected) {
        return KafkaTestClient.readUntil("dead-letter-topic-" + topic,
                        rs -> rs.stream().anyMatch(r -> expected.equals(r.value())), WAIT)
                .stream().map(ConsumerRecord::value).toList();
    }

    @Test
    void anUnparseablePushGoesToItsDeadLetterTopicAndTheNextPushIsStillHandled() {
        String repo = "acme/" + unique("dlq");
        String procedureId = createProcedure(KEY, repo, Map.of()).getString("id");
        String garbage = "{not json " + unique("x");
        String wrongType = EventCodec.toJson(EventCodec.envelope(EventTypes.BUILD_STARTED, "/test", "dep_x",
                new BuildStarted("dep_x", "w", Instant.now())));
        KafkaTestClient.send(Topics.DEPLOYMENT_REQUESTED, repo, garbage, Map.of());
        KafkaTestClient.send(Topics.DEPLOYMENT_REQUESTED, repo, wrongType, Map.of());
        sendPush(push(orgId(), repo, newDeliveryId(), "main", sha()));

        assertThat(awaitDeployments(procedureId, 1)).hasSize(1);
        assertThat(deadLetters(Topics.DEPLOYMENT_REQUESTED, wrongType)).contains(garbage, wrongType);
    }

    @Test
    void everyIncomingTopicHasItsOwnDeadLetterTopic() {
        String procedureId = createProcedure(KEY, "acme/" + unique("dlq-all"), Map.of()).getString("id");
        String deploymentId = as(KEY).body(Map.of("procedure_id", procedureId, "commit_sha", sha()))
                .post("/v2/deployments").then().statusCode(202).extract().path("id");
        List<String> topics = List.of(Topics.BUILD_STARTED, Topics.BUILD_LOGS, Topics.BUILD_COMPLETED,
                Topics.STATION_POINTER_MOVED, Topics.STATION_RUNS);
        for (String topic : topics) {
            KafkaTestClient.send(topic, deploymentId, "not an event for " + topic, Map.of());
        }
        // an event of the right type that lacks what the handler needs is unusable too
        String incomplete = EventCodec.toJson(EventCodec.envelope(EventTypes.BUILD_STARTED, "/test", "x",
                new BuildStarted(null, "w", Instant.now())));
        KafkaTestClient.send(Topics.BUILD_STARTED, deploymentId, incomplete, Map.of());
        TestSupport.sendStarted(deploymentId, deploymentId, Instant.now());
        awaitStatus(deploymentId, "building");

        for (String topic : topics) {
            assertThat(deadLetters(topic, "not an event for " + topic)).contains("not an event for " + topic);
        }
        assertThat(deadLetters(Topics.BUILD_STARTED, incomplete)).contains(incomplete);
    }
}
