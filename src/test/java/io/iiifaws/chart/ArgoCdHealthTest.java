package io.iiifaws.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.iiifaws.api.Condition;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobStatus;
import io.iiifaws.api.Phase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/** The Argo CD health check, run by a Lua interpreter against IiifJobs in each state. */
class ArgoCdHealthTest {
    static final Path DOCS = Path.of("charts/iiif-aws/docs/argocd");

    static String health(IiifJob job) throws Exception {
        JsonNode json = new ObjectMapper().readTree(new KubernetesSerialization().asJson(job));
        Globals globals = JsePlatform.standardGlobals();
        globals.set("obj", lua(json));
        LuaValue result = globals.load(Files.readString(DOCS.resolve("health.lua")), "health.lua")
                .call();
        return result.get("status").tojstring() + ": " + result.get("message").tojstring();
    }

    static LuaValue lua(JsonNode node) {
        if (node.isObject()) {
            LuaTable table = new LuaTable();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                var field = it.next();
                table.set(field.getKey(), lua(field.getValue()));
            }
            return table;
        }
        if (node.isArray()) {
            LuaTable table = new LuaTable();
            for (int i = 0; i < node.size(); i++) {
                table.set(i + 1, lua(node.get(i)));
            }
            return table;
        }
        if (node.isBoolean()) {
            return LuaValue.valueOf(node.asBoolean());
        }
        if (node.isNumber()) {
            return LuaValue.valueOf(node.asDouble());
        }
        return node.isNull() ? LuaValue.NIL : LuaValue.valueOf(node.asText());
    }

    static IiifJob job(boolean suspend, Phase phase, String progress, Condition... conditions) {
        IiifJob job = new IiifJob();
        job.setMetadata(
                new ObjectMetaBuilder().withName("j").withNamespace("ns").build());
        job.setSpec(new io.iiifaws.api.IiifJobSpec(
                List.of("a.jpg"),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                suspend ? true : null,
                null,
                null));
        if (phase != null) {
            job.setStatus(new IiifJobStatus(
                    phase,
                    1L,
                    null,
                    null,
                    progress,
                    0,
                    0,
                    0,
                    conditions.length == 0 ? null : List.of(conditions),
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null));
        }
        return job;
    }

    static Condition condition(String type, String reason, String message) {
        return new Condition(type, "True", reason, message, "2026-11-25T10:00:00Z", 1L);
    }

    @Test
    void eachPhaseHasItsHealth() throws Exception {
        assertThat(health(job(false, null, null))).isEqualTo("Progressing: Waiting for the iiif-aws operator");
        assertThat(health(job(false, Phase.Pending, "0/3"))).isEqualTo("Progressing: Pending, batches done 0/3");
        assertThat(health(job(false, Phase.Running, "1/3"))).isEqualTo("Progressing: Running, batches done 1/3");
        assertThat(health(job(
                        false,
                        Phase.Succeeded,
                        "3/3",
                        condition("Complete", "CompletionsReached", "All 3 batches (9 URIs) succeeded"))))
                .isEqualTo("Healthy: All 3 batches (9 URIs) succeeded");
        assertThat(health(job(
                        false,
                        Phase.Failed,
                        "1/3",
                        condition("Failed", "BackoffLimitExceeded", "Batch 1 failed 4 times"))))
                .isEqualTo("Degraded: BackoffLimitExceeded: Batch 1 failed 4 times");
        assertThat(health(job(true, Phase.Pending, "1/3", condition("Suspended", "JobSuspended", "Job suspended"))))
                .isEqualTo("Suspended: Suspended");
        assertThat(health(job(true, Phase.Running, "1/3")))
                .as("suspend asked, tasks still stopping")
                .isEqualTo("Suspended: Suspended");
        assertThat(health(job(
                        false,
                        Phase.Running,
                        "1/3",
                        condition("FailureTarget", "DeadlineExceeded", "past the deadline"))))
                .isEqualTo("Progressing: Stopping tasks before failing: DeadlineExceeded");
        assertThat(health(job(true, Phase.Succeeded, "3/3", condition("Complete", "CompletionsReached", "done"))))
                .as("a finished job's outcome wins over a later suspend")
                .isEqualTo("Healthy: done");
    }

    @Test
    void theArgoCdConfigMapSnippetCarriesTheSameLua() throws Exception {
        JsonNode configMap = new ObjectMapper(new YAMLFactory())
                .readTree(DOCS.resolve("argocd-cm.yaml").toFile());
        assertThat(configMap
                        .at("/data")
                        .path("resource.customizations.health.iiif-aws.io_IiifJob")
                        .asText())
                .isEqualTo(Files.readString(DOCS.resolve("health.lua")));
    }
}
