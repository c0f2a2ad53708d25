package io.ragline.ops.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each condition of a ready rollout, alone, keeps it from being ready. */
class RolloutsTest {

    @ParameterizedTest(name = "partition {1}, observed {2}, updated {3}, ready {4}, revisions {5}/{6}: {0}")
    @CsvSource({
            "true,  0, 3, 5, 5, r2, r2",
            "false, 0, 2, 5, 5, r2, r2",  // the controller has not seen the new spec
            "false, 0, 3, 4, 5, r2, r2",  // a pod still runs the old revision
            "false, 0, 3, 5, 4, r2, r2",  // a pod is not ready
            "false, 0, 3, 5, 5, r1, r2",  // the update revision is not current yet
            "true,  2, 3, 3, 5, r1, r2",  // canary: ordinals 2..4 updated, every pod ready
            "false, 2, 3, 2, 5, r1, r2",  // canary: one of them not updated yet
            "false, 2, 3, 3, 4, r1, r2",  // canary: a pod not ready
    })
    void aStatefulSetIsReadyOnlyWhenEveryConditionHolds(boolean ready, int partition, long observed, int updated,
                                                         int readyPods, String current, String update) {
        StatefulSet s = new StatefulSetBuilder()
                .withNewMetadata().withName("ragline-search").withGeneration(3L).endMetadata()
                .withNewSpec().withReplicas(5)
                    .withNewUpdateStrategy().withType("RollingUpdate").withNewRollingUpdate().withPartition(partition)
                    .endRollingUpdate().endUpdateStrategy()
                    .withNewTemplate().withNewSpec().addNewContainer().withName("search").withImage("ragline:2")
                    .endContainer().endSpec().endTemplate()
                .endSpec()
                .withNewStatus().withObservedGeneration(observed).withReplicas(5).withUpdatedReplicas(updated)
                    .withReadyReplicas(readyPods).withCurrentRevision(current).withUpdateRevision(update)
                .endStatus()
                .build();

        RolloutState state = Rollouts.of(s);

        assertThat(state.ready()).isEqualTo(ready);
        assertThat(state.partition()).isEqualTo(partition);
    }

    @ParameterizedTest(name = "observed {1}, updated {2}, available {3}, total {4}: {0}")
    @CsvSource({
            "true,  3, 4, 4, 4",
            "false, 2, 4, 4, 4",  // the controller has not seen the new spec
            "false, 3, 3, 4, 4",  // one replica still old
            "false, 3, 4, 3, 4",  // one not available
            "false, 3, 4, 4, 5",  // an old replica is left
    })
    void aDeploymentIsReadyOnlyWhenEveryConditionHolds(boolean ready, long observed, int updated, int available,
                                                        int total) {
        Deployment d = new DeploymentBuilder()
                .withNewMetadata().withName("ragline-ingest").withGeneration(3L).endMetadata()
                .withNewSpec().withReplicas(4)
                    .withNewTemplate().withNewSpec().addNewContainer().withName("ingest").withImage("ragline:2")
                    .endContainer().endSpec().endTemplate()
                .endSpec()
                .withNewStatus().withObservedGeneration(observed).withReplicas(total).withUpdatedReplicas(updated)
                    .withAvailableReplicas(available).withReadyReplicas(available)
                .endStatus()
                .build();

        assertThat(Rollouts.of(d).ready()).isEqualTo(ready);
    }
}
