package io.iiifaws.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class S3EventsTest {
    @Test
    void anEventForUrisReadsBackToTheSameUris() throws Exception {
        List<String> uris = List.of("avocado.png", "red flower.jpg", "dir/100% ü+.tif");
        String event = S3Events.forUris(uris, "eu-west-1", null);

        assertThat(S3Events.objectKeys(event)).isEqualTo(uris);
        var records = new ObjectMapper().readTree(event).get("Records");
        assertThat(records).hasSize(3);
        assertThat(records.get(0).path("eventSource").asText()).isEqualTo("aws:s3");
        assertThat(records.get(0).path("s3").path("object").path("key").asText())
                .isEqualTo("avocado.png");
        assertThat(records.get(1).path("s3").path("object").path("key").asText())
                .isEqualTo("red+flower.jpg");
        assertThat(records.get(2).path("s3").path("object").path("key").asText())
                .isEqualTo("dir/100%25+%C3%BC%2B.tif");
    }

    @Test
    void keysAreReadFromSnsAndSqsWrappedEvents() {
        String s3 = S3Events.forUris(List.of("a b.jpg"), "us-east-1", "bucket");
        String quoted = s3.replace("\\", "\\\\").replace("\"", "\\\"");
        String sns = "{\"Records\":[{\"EventSource\":\"aws:sns\",\"Sns\":{\"Type\":\"Notification\",\"Message\":\""
                + quoted + "\"}}]}";
        String sqs = "{\"Records\":[{\"eventSource\":\"aws:sqs\",\"body\":\"" + quoted + "\"}]}";
        String envelope = "{\"Type\":\"Notification\",\"Message\":\"" + quoted + "\"}";
        String sqsOfSns = "{\"Records\":[{\"eventSource\":\"aws:sqs\",\"body\":\""
                + envelope.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}]}";

        assertThat(S3Events.objectKeys(sns)).containsExactly("a b.jpg");
        assertThat(S3Events.objectKeys(sqs)).containsExactly("a b.jpg");
        assertThat(S3Events.objectKeys(sqsOfSns)).containsExactly("a b.jpg");
    }

    @Test
    void theS3TestEventHasNoKeysAndOtherDocumentsAreRefused() {
        assertThat(S3Events.objectKeys("{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\"}"))
                .isEmpty();
        assertThatThrownBy(() -> S3Events.objectKeys("not json")).hasMessageStartingWith("event is not JSON");
        assertThatThrownBy(() -> S3Events.objectKeys("{\"detail\":{}}")).hasMessageContaining("no Records");
        assertThatThrownBy(() -> S3Events.objectKeys("{\"Records\":[{\"eventSource\":\"aws:kinesis\"}]}"))
                .hasMessageContaining("aws:kinesis");
    }
}
