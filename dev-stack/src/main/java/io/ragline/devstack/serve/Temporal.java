package io.ragline.devstack.serve;

import io.ragline.core.runtime.Resources;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Connects a Temporal client, registering its shutdown with the caller's resources. */
public final class Temporal {
    private Temporal() {
    }

    public static WorkflowClient connect(String target, String namespace, Resources resources) {
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newConnectedServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(target).build(), Duration.ofSeconds(30));
        resources.add(() -> {
            stubs.shutdown();
            stubs.awaitTermination(5, TimeUnit.SECONDS);
        });
        return WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
    }
}
