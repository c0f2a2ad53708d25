package io.ragline.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ragline.ops.backup.BackupIds;
import io.ragline.ops.backup.BackupRequest;
import io.ragline.ops.backup.BackupScope;
import io.ragline.ops.backup.BackupSchedules;
import io.ragline.ops.backup.BackupStores;
import io.ragline.ops.backup.FileBackupStore;
import io.ragline.ops.backup.S3BackupStore;
import io.ragline.ops.deploy.DeployRequest;
import io.ragline.ops.deploy.DeploySettings;
import io.ragline.ops.deploy.Strategy;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The JSON an operator types, targets, ids and the schedule: no servers involved. */
class OpsBasicsTest {
    @Test
    void theReadmeInputsParseWithTemporalsOwnJsonConverter() throws Exception {
        var mapper = JacksonJsonPayloadConverter.newDefaultObjectMapper();
        DeployRequest deploy = mapper.readValue("""
                {"service":"search-api","image":"ghcr.io/ragline/search-api:0.2.0","namespace":"ragline",
                 "strategy":"CANARY","canarySteps":[5,25,50],
                 "analysis":{"prometheusUrl":"http://prometheus:9090","minSuccessRate":0.99,"maxP95Millis":300,
                             "interval":"PT1M","failureLimit":1},
                 "preDeployBackup":true,"requireApproval":true}""", DeployRequest.class)
                .withDefaults(DeploySettings.defaults());
        assertThat(deploy.canarySteps()).containsExactly(5, 25, 50, 100);
        assertThat(deploy.analysis().interval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(deploy.analysis().measurements()).isEqualTo(3);
        assertThat(deploy.approvalTimeout()).isEqualTo(Duration.ofHours(1));

        BackupRequest backup = mapper.readValue("""
                {"scope":["metadata","index","kafkaOffsets","kubernetesConfig"],
                 "target":"s3://ragline-backups/prod","retentionDays":14}""", BackupRequest.class);
        assertThat(backup.scope()).containsExactly(BackupScope.METADATA, BackupScope.INDEX, BackupScope.KAFKA_OFFSETS,
                BackupScope.KUBERNETES_CONFIG);
        assertThat(mapper.writeValueAsString(backup)).contains("\"kafkaOffsets\"");
    }

    @Test
    void badDeployInputIsRefusedWithTheFieldNamed() {
        DeployRequest noImage = new DeployRequest("s", null, "ns", Strategy.ROLLING, null, null, false, false, null,
                null, null, null, null);
        assertThatThrownBy(() -> noImage.withDefaults(DeploySettings.defaults())).hasMessageContaining("'image'");
        DeployRequest badSteps = new DeployRequest("s", "i", "ns", Strategy.CANARY, List.of(50, 25), null, false, false,
                null, null, null, null, null);
        assertThatThrownBy(() -> badSteps.withDefaults(DeploySettings.defaults())).hasMessageContaining("canarySteps");
    }

    @Test
    void targetsOpenTheRightStore() {
        try (BackupStores stores = new BackupStores(null)) {
            assertThat(stores.open("file:///var/backups/ragline")).isInstanceOf(FileBackupStore.class);
            assertThat(stores.open("s3://bucket/prefix")).isInstanceOf(S3BackupStore.class);
            assertThatThrownBy(() -> stores.open("ftp://x")).hasMessageContaining("file:///path or s3://bucket/prefix");
        }
    }

    @Test
    void backupIdsSortByTimeAndReadBack() {
        String id = BackupIds.newId(1_767_225_600_000L, UUID.fromString("3f9a1c00-0000-0000-0000-000000000000"));
        assertThat(id).isEqualTo("20260101T000000Z-3f9a1c");
        assertThat(BackupIds.valid(id)).isTrue();
        assertThat(BackupIds.valid("../etc")).isFalse();
        assertThat(BackupIds.epochMillis(id)).isEqualTo(1_767_225_600_000L);
    }

    @Test
    void theHourlyScheduleStartsABackupEveryHourAndSkipsOverlaps() {
        var schedule = new BackupSchedules(null, OpsWorker.TASK_QUEUE)
                .schedule(new BackupRequest(null, null, null, null, null), Duration.ofHours(1));
        assertThat(schedule.getSpec().getIntervals()).containsExactly(new ScheduleIntervalSpec(Duration.ofHours(1)));
        var action = (ScheduleActionStartWorkflow) schedule.getAction();
        assertThat(action.getWorkflowType()).isEqualTo("BackupWorkflow");
        assertThat(action.getOptions().getTaskQueue()).isEqualTo(OpsWorker.TASK_QUEUE);
        assertThat(schedule.getPolicy().getOverlap().name()).isEqualTo("SCHEDULE_OVERLAP_POLICY_SKIP");
    }

    @Test
    void statusShowsTheRunningStepAfterTheDoneOnes() {
        long[] now = {1000};
        StepTracker tracker = new StepTracker("t", () -> now[0]);
        tracker.begin("one");
        now[0] = 2000;
        tracker.begin("two");
        tracker.skip("three", "not asked");
        OpsStatus status = tracker.snapshot();
        assertThat(status.step()).isEqualTo("two");
        assertThat(status.steps()).extracting(StepEntry::name, StepEntry::outcome)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("one", "OK"),
                        org.assertj.core.groups.Tuple.tuple("three", "SKIPPED"),
                        org.assertj.core.groups.Tuple.tuple("two", "RUNNING"));
    }
}
