package io.ragline.devstack.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.ragline.ops.OpsWorker;
import io.ragline.ops.deploy.AnalysisSpec;
import io.ragline.ops.deploy.DeployActivitiesImpl;
import io.ragline.ops.deploy.DeployRequest;
import io.ragline.ops.deploy.DeployResult;
import io.ragline.ops.deploy.DeploySettings;
import io.ragline.ops.deploy.DeployWorkflow;
import io.ragline.ops.deploy.DeployWorkflowImpl;
import io.ragline.ops.deploy.Strategy;
import io.ragline.ops.deploy.WorkloadKind;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DeployWorkflow, with its real activities, against the objects {@code k8s/overlays/dev} renders,
 * loaded into fabric8's mock API server (CRUD mode); a {@link RolloutSimulator} plays the workload
 * controllers. Every request the workflow's client made is checked against the rendered ragline-ops
 * Role after each test: one the Role would deny fails the test.
 */
class DeployOnShippedManifestsTest {
    static final String NS = "ragline-dev";
    static final String INGEST = "ragline-ingest";
    static final String EMBEDDER = "ragline-embedder";
    static final String SEARCH = "ragline-search";
    static final String WORKFLOWS = "ragline-workflows";
    static final String OLD = "ragline:local";
    static final String NEW = "ragline:0.2.0";
    /** What the autoscalers chose (KEDA, the HPA) or the overlay would have with more load. */
    static final Map<String, Integer> REPLICAS = Map.of(INGEST, 4, EMBEDDER, 3, SEARCH, 5, WORKFLOWS, 2);
    static final DeploySettings SETTINGS = new DeploySettings(Duration.ofHours(1), Duration.ofMinutes(10),
            Duration.ofMinutes(15), Duration.ofMillis(200), null);
    static final AnalysisSpec GATE = new AnalysisSpec("http://prometheus.monitoring:9090", 0.99, 500L,
            Duration.ofMillis(500), 0, 1, null, null);

    enum Cause {
        FAILED_GATE("success rate 0.6200 < 0.9900"),
        NOT_READY("not ready within PT30S"),
        APPROVAL_TIMEOUT("no approval within PT30M"),
        ABORT("aborted: error budget burning"),
        ACTIVITY_FAILS("Kubernetes answered 422"),
        CANCEL("workflow cancelled");

        final String reason;

        Cause(String reason) {
            this.reason = reason;
        }
    }

    private ShippedCluster cluster;
    private KubernetesMockServer server;
    private KubernetesClient harness;
    private KubernetesClient ops;
    private RolloutSimulator simulator;
    private TestWorkflowEnvironment env;
    private final ScriptedAnalysis analysis = new ScriptedAnalysis();
    private final RecordedDeployments records = new RecordedDeployments();
    private RoleRules role;

    @BeforeEach
    void setUp() {
        cluster = new ShippedCluster(Overlay.of("dev"), harness -> {
            harness.apps().deployments().inNamespace(NS).withName(INGEST).edit(d -> {
                d.getSpec().setReplicas(REPLICAS.get(INGEST));
                return d;
            });
            for (String keda : List.of(EMBEDDER, WORKFLOWS)) {
                harness.apps().deployments().inNamespace(NS).withName(keda).edit(d -> {
                    d.getSpec().setReplicas(REPLICAS.get(keda));
                    return d;
                });
            }
            harness.apps().statefulSets().inNamespace(NS).withName(SEARCH).edit(s -> {
                s.getSpec().setReplicas(REPLICAS.get(SEARCH));
                return s;
            });
        });
        server = cluster.server();
        harness = cluster.harness();
        ops = cluster.ops();
        role = cluster.role();
        simulator = cluster.simulator();
        DeployActivitiesImpl look = new DeployActivitiesImpl(harness);
        await().atMost(Duration.ofSeconds(20)).until(() -> look.rolloutState(NS, WorkloadKind.DEPLOYMENT, INGEST).ready()
                && look.rolloutState(NS, WorkloadKind.DEPLOYMENT, EMBEDDER).ready()
                && look.rolloutState(NS, WorkloadKind.DEPLOYMENT, WORKFLOWS).ready()
                && look.rolloutState(NS, WorkloadKind.STATEFUL_SET, SEARCH).ready());

        env = TestWorkflowEnvironment.newInstance();
        Worker worker = env.newWorker(OpsWorker.TASK_QUEUE);
        worker.registerWorkflowImplementationFactory(DeployWorkflow.class, () -> new DeployWorkflowImpl(SETTINGS));
        worker.registerActivitiesImplementations(new DeployActivitiesImpl(ops), analysis, records);
        env.start();
    }

    @AfterEach
    void checkEveryRequestAgainstTheRole() throws Exception {
        env.close();
        List<String> denied = cluster.denials();
        cluster.close();
        assertThat(denied).as("requests the shipped ragline-ops Role denies").isEmpty();
    }

    // ------------------------------------------------------------------------------------ success

    static Stream<Arguments> everyStrategy() {
        return Stream.of(
                Arguments.of(INGEST, Strategy.ROLLING, List.of(service(INGEST))),
                Arguments.of(INGEST, Strategy.CANARY, List.of(copy(INGEST, "canary"), copy(INGEST, "canary"),
                        copy(INGEST, "canary"))),
                Arguments.of(INGEST, Strategy.BLUE_GREEN, List.of(copy(INGEST, "green"))),
                Arguments.of(EMBEDDER, Strategy.BLUE_GREEN, List.of(copy(EMBEDDER, "green"))),
                Arguments.of(WORKFLOWS, Strategy.CANARY, List.of(copy(WORKFLOWS, "canary"), copy(WORKFLOWS, "canary"),
                        copy(WORKFLOWS, "canary"))),
                Arguments.of(WORKFLOWS, Strategy.BLUE_GREEN, List.of(copy(WORKFLOWS, "green"))),
                Arguments.of(SEARCH, Strategy.ROLLING, List.of(service(SEARCH))),
                // 25% of 5 replicas: 2 pods (ordinals 3, 4); 50%: 3 (2, 3, 4); then all of them
                Arguments.of(SEARCH, Strategy.CANARY, List.of(
                        "namespace=\"ragline-dev\",service=\"ragline-search\",pod=~\"ragline-search-(3|4)\"",
                        "namespace=\"ragline-dev\",service=\"ragline-search\",pod=~\"ragline-search-(2|3|4)\"",
                        service(SEARCH))));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyStrategy")
    void everyStrategyDeploysTheShippedWorkloadAndGatesExactlyItsNewPods(String service, Strategy strategy,
                                                                        List<String> selectors) {
        DeployResult result = workflow(service).deploy(request(service, strategy, false));

        assertThat(result.outcome()).isEqualTo("SUCCEEDED");
        assertThat(result.previousImage()).isEqualTo(OLD);
        assertDeployed(service, NEW);
        if (strategy == Strategy.BLUE_GREEN) {
            // the health check, then every measurement of the rollback window, all on the green pods
            assertThat(analysis.selectors()).hasSizeGreaterThan(2).containsOnly(selectors.getFirst());
        } else {
            assertThat(analysis.selectors()).isEqualTo(selectors);
        }
        assertThat(records.lastOutcome()).isEqualTo("SUCCEEDED");
    }

    // ------------------------------------------------------------- approve, pause, resume, mid-state

    static Stream<Arguments> interactive() {
        return Stream.of(Arguments.of(INGEST, Strategy.CANARY), Arguments.of(SEARCH, Strategy.CANARY),
                Arguments.of(EMBEDDER, Strategy.BLUE_GREEN));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("interactive")
    void anApprovedDeployHoldsWhilePausedAndFinishesOnResume(String service, Strategy strategy) {
        DeployWorkflow workflow = workflow(service);
        WorkflowClient.start(workflow::deploy, request(service, strategy, true));
        await().atMost(Duration.ofSeconds(30)).until(() -> "AWAITING_APPROVAL".equals(workflow.status().state()));

        switch (strategy) {
            case CANARY -> {
                if (service.equals(SEARCH)) {
                    // 50% of 5: the partition lets the 3 highest ordinals run the new template
                    StatefulSet s = statefulSet();
                    assertThat(partition(s)).isEqualTo(2);
                    assertThat(s.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage()).isEqualTo(NEW);
                    assertThat(s.getStatus().getUpdatedReplicas()).isEqualTo(3);
                    assertThat(s.getStatus().getCurrentRevision()).isNotEqualTo(s.getStatus().getUpdateRevision());
                } else {
                    assertCopySelectedLikeTheStablePods(service, "canary", 2);
                    assertThat(image(service)).isEqualTo(OLD);
                }
            }
            case BLUE_GREEN -> {
                assertCopySelectedLikeTheStablePods(service, "green", REPLICAS.get(service));
                assertThat(replicas(service)).isEqualTo(REPLICAS.get(service));
                assertThat(pausedAnnotation(service)).isEqualTo("true");
            }
            default -> throw new IllegalArgumentException(strategy.name());
        }

        workflow.pause();
        workflow.approve();
        await().atMost(Duration.ofSeconds(30)).until(() -> "PAUSED".equals(workflow.status().state()));
        String step = workflow.status().step();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> "PAUSED".equals(workflow.status().state()) && step.equals(workflow.status().step()));
        if (strategy == Strategy.BLUE_GREEN) {
            assertThat(replicas(service)).as("the work is on green while paused").isZero();
            assertThat(replicas(service + "-green")).isEqualTo(REPLICAS.get(service));
        }

        workflow.resume();
        DeployResult result = WorkflowStub.fromTyped(workflow).getResult(DeployResult.class);
        assertThat(result.outcome()).isEqualTo("SUCCEEDED");
        assertDeployed(service, NEW);
    }

    // ---------------------------------------------------------------------------------- rollbacks

    static Stream<Arguments> rollbacks() {
        List<Arguments> all = new ArrayList<>();
        for (Cause cause : Cause.values()) {
            all.add(Arguments.of(INGEST, Strategy.CANARY, cause));
            all.add(Arguments.of(SEARCH, Strategy.CANARY, cause));
            all.add(Arguments.of(EMBEDDER, Strategy.BLUE_GREEN, cause));
        }
        all.add(Arguments.of(INGEST, Strategy.ROLLING, Cause.FAILED_GATE));
        all.add(Arguments.of(INGEST, Strategy.ROLLING, Cause.NOT_READY));
        all.add(Arguments.of(SEARCH, Strategy.ROLLING, Cause.FAILED_GATE));
        all.add(Arguments.of(SEARCH, Strategy.ROLLING, Cause.NOT_READY));
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("rollbacks")
    void everyRollbackCauseLeavesTheShippedState(String service, Strategy strategy, Cause cause) {
        boolean approval = switch (cause) {
            case FAILED_GATE, NOT_READY -> false;
            default -> strategy != Strategy.ROLLING;
        };
        switch (cause) {
            // canary: 25% passes, 50% fails; blue-green: the health check passes, the rollback window fails
            case FAILED_GATE -> analysis.script(strategy == Strategy.ROLLING ? new Boolean[] {false}
                    : new Boolean[] {true, false});
            case NOT_READY -> simulator.neverReady(NEW);
            default -> {
            }
        }
        DeployWorkflow workflow = workflow(service);
        WorkflowClient.start(workflow::deploy, request(service, strategy, approval));
        if (approval && cause != Cause.APPROVAL_TIMEOUT) {
            await().atMost(Duration.ofSeconds(30)).until(() -> "AWAITING_APPROVAL".equals(workflow.status().state()));
        }
        switch (cause) {
            case ABORT -> {
                if (strategy == Strategy.BLUE_GREEN) {
                    // after the switch, so that the stable Deployment has to come back
                    workflow.approve();
                    await().atMost(Duration.ofSeconds(30)).until(() -> workflow.status().step().startsWith("rollback window"));
                    assertThat(replicas(service)).isZero();
                }
                workflow.abort("error budget burning");
            }
            case ACTIVITY_FAILS -> {
                // the next write after the approval is refused as invalid: no retry can fix that
                String next = switch (service) {
                    case INGEST -> "/apis/apps/v1/namespaces/" + NS + "/deployments/" + INGEST + "-canary";
                    case SEARCH -> "/apis/apps/v1/namespaces/" + NS + "/statefulsets/" + SEARCH;
                    default -> "/apis/apps/v1/namespaces/" + NS + "/deployments/" + service;
                };
                server.expect().patch().withPath(next).andReturn(422, """
                        {"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Invalid","code":422,
                         "message":"admission webhook denied the request"}""").once();
                workflow.approve();
            }
            case CANCEL -> WorkflowStub.fromTyped(workflow).cancel();
            default -> {
            }
        }

        WorkflowFailedException failure = assertThrows(WorkflowFailedException.class,
                () -> WorkflowStub.fromTyped(workflow).getResult(DeployResult.class));
        if (cause == Cause.CANCEL) {
            // Temporal reports a cancelled run as cancelled, whatever it did after the request
            assertThat(failure.getCause()).isInstanceOf(CanceledFailure.class);
        } else {
            assertThat(failure.getCause()).isInstanceOfSatisfying(ApplicationFailure.class, f -> {
                assertThat(f.getType()).isEqualTo("DeploymentRolledBack");
                assertThat(f.getOriginalMessage()).contains(cause.reason);
            });
        }
        assertDeployed(service, OLD);
        assertThat(workflow.status().state()).isEqualTo("ROLLED_BACK");
        assertThat(workflow.status().reason()).contains(cause.reason);
        assertThat(records.lastOutcome()).isEqualTo("ROLLED_BACK");
    }

    @Test
    void aCanaryLeftByAnEarlierRunIsResetAndRemoved() {
        // what a worker that died between create and delete leaves behind
        Deployment stale = new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder(deployment(INGEST))
                .editMetadata().withName(INGEST + "-canary").withResourceVersion(null).withUid(null)
                    .addToLabels("ragline.io/track", "canary").endMetadata()
                .editSpec().withReplicas(7)
                    .editSelector().addToMatchLabels("ragline.io/track", "canary").endSelector()
                    .editTemplate().editMetadata().addToLabels("ragline.io/track", "canary").endMetadata()
                        .editSpec().editFirstContainer().withImage("ragline:0.1.9").endContainer().endSpec()
                    .endTemplate()
                .endSpec().withStatus(null).build();
        harness.resource(stale).create();
        DeployWorkflow workflow = workflow(INGEST);
        WorkflowClient.start(workflow::deploy, request(INGEST, Strategy.CANARY, true));
        await().atMost(Duration.ofSeconds(30)).until(() -> "AWAITING_APPROVAL".equals(workflow.status().state()));

        assertCopySelectedLikeTheStablePods(INGEST, "canary", 2);
        workflow.approve();
        assertThat(WorkflowStub.fromTyped(workflow).getResult(DeployResult.class).outcome()).isEqualTo("SUCCEEDED");
        assertDeployed(INGEST, NEW);
    }

    // ----------------------------------------------------------------------------------- refusals

    @Test
    void blueGreenOfTheSearchStatefulSetIsRefusedBeforeAnythingChanges() {
        StatefulSet before = statefulSet();
        DeployWorkflow workflow = workflow(SEARCH);

        WorkflowFailedException failure = assertThrows(WorkflowFailedException.class,
                () -> workflow.deploy(request(SEARCH, Strategy.BLUE_GREEN, false)));

        assertThat(failure.getCause()).isInstanceOfSatisfying(ApplicationFailure.class, f -> {
            assertThat(f.getType()).isEqualTo("InvalidInput");
            assertThat(f.getOriginalMessage()).contains("BLUE_GREEN cannot deploy StatefulSet ragline-search")
                    .contains("own volume").contains("CANARY");
        });
        assertThat(statefulSet().getMetadata().getResourceVersion()).isEqualTo(before.getMetadata().getResourceVersion());
        assertThat(records.lastOutcome()).isEqualTo("FAILED");
    }

    @Test
    void theRoleCheckerRejectsWhatTheRoleDoesNotGrant() throws Exception {
        ops.apps().deployments().inNamespace(NS).withName(INGEST).get();
        ops.secrets().inNamespace(NS).withName("ragline-db").get();
        ops.apps().statefulSets().inNamespace(NS).withName(SEARCH).delete();
        ops.apps().deployments().inNamespace("ragline-prod").withName(INGEST).get();
        ops.apps().deployments().inNamespace(NS).withName("ragline-postgres-canary").get();

        List<String> denied = cluster.requests().stream().map(role::denial).flatMap(java.util.Optional::stream).toList();

        assertThat(denied).hasSize(4);
        assertThat(denied.get(0)).contains("get on secrets ragline-db");
        assertThat(denied.get(1)).contains("delete on apps/statefulsets ragline-search");
        assertThat(denied.get(2)).contains("outside namespace ragline-dev");
        assertThat(denied.get(3)).contains("get on apps/deployments ragline-postgres-canary");
        assertThat(role.denial(ApiRequest.parse("POST", "/apis/apps/v1/namespaces/" + NS + "/statefulsets")))
                .as("create is granted for Deployments only").isPresent();
        assertThat(role.denial(ApiRequest.parse("GET", "/apis"))).as("discovery is not the Role's").isPresent();
    }

    // ------------------------------------------------------------------------------------ helpers

    /** The end state: the image, the replicas the autoscaler chose, no copies, nothing paused or held back. */
    private void assertDeployed(String service, String image) {
        assertThat(image(service)).isEqualTo(image);
        for (String track : List.of("canary", "green")) {
            assertThat(harness.apps().deployments().inNamespace(NS).withName(service + "-" + track).get())
                    .as("leftover " + service + "-" + track).isNull();
        }
        if (service.equals(SEARCH)) {
            StatefulSet s = statefulSet();
            assertThat(partition(s)).isZero();
            assertThat(s.getSpec().getReplicas()).isEqualTo(REPLICAS.get(SEARCH));
            assertThat(s.getStatus().getCurrentRevision()).isEqualTo(s.getStatus().getUpdateRevision());
            assertThat(s.getStatus().getUpdatedReplicas()).isEqualTo(REPLICAS.get(SEARCH));
        } else {
            assertThat(replicas(service)).isEqualTo(REPLICAS.get(service));
            assertThat(deployment(service).getSpec().getSelector().getMatchLabels())
                    .containsEntry("ragline.io/track", "stable");
        }
        assertThat(pausedAnnotation(EMBEDDER)).isNull();
        assertThat(pausedAnnotation(WORKFLOWS)).isNull();
    }

    /** A copy carries every label the Service, PDB and NetworkPolicies select, and selects only itself. */
    private void assertCopySelectedLikeTheStablePods(String service, String track, int replicas) {
        Deployment copy = deployment(service + "-" + track);
        Deployment stable = deployment(service);
        Map<String, String> copyPods = copy.getSpec().getTemplate().getMetadata().getLabels();
        Map<String, String> stablePods = stable.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(copy.getSpec().getReplicas()).isEqualTo(replicas);
        assertThat(copy.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage()).isEqualTo(NEW);
        assertThat(copy.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "ragline-ops")
                .containsEntry("ragline.io/track", track);
        assertThat(copyPods).containsEntry("ragline.io/track", track)
                .containsEntry("app.kubernetes.io/name", service)
                .containsEntry("app.kubernetes.io/part-of", "ragline")
                .containsEntry("app.kubernetes.io/component", stablePods.get("app.kubernetes.io/component"));
        assertThat(Overlay.matches(copy.getSpec().getSelector().getMatchLabels(), stablePods)).isFalse();
        assertThat(Overlay.matches(stable.getSpec().getSelector().getMatchLabels(), copyPods)).isFalse();
        Service svc = harness.services().inNamespace(NS).withName(service).get();
        assertThat(Overlay.matches(svc.getSpec().getSelector(), copyPods)).as("Service " + service).isTrue();
        for (PodDisruptionBudget pdb : harness.policy().v1().podDisruptionBudget().inNamespace(NS).list().getItems()) {
            assertThat(Overlay.matches(pdb.getSpec().getSelector(), copyPods))
                    .as("PDB " + pdb.getMetadata().getName()).isEqualTo(Overlay.matches(pdb.getSpec().getSelector(), stablePods));
        }
        for (NetworkPolicy p : harness.network().v1().networkPolicies().inNamespace(NS).list().getItems()) {
            assertThat(Overlay.matches(p.getSpec().getPodSelector(), copyPods))
                    .as("NetworkPolicy " + p.getMetadata().getName())
                    .isEqualTo(Overlay.matches(p.getSpec().getPodSelector(), stablePods));
        }
    }

    private DeployWorkflow workflow(String service) {
        return env.getWorkflowClient().newWorkflowStub(DeployWorkflow.class, WorkflowOptions.newBuilder()
                .setTaskQueue(OpsWorker.TASK_QUEUE)
                .setWorkflowId(DeployWorkflow.workflowId(NS, service))
                .build());
    }

    private static DeployRequest request(String service, Strategy strategy, boolean approval) {
        return new DeployRequest(service, NEW, NS, strategy, List.of(25, 50, 100), GATE, false, approval,
                Duration.ofMinutes(30), Duration.ofSeconds(30), Duration.ofSeconds(20), null, null);
    }

    private static String service(String service) {
        return "namespace=\"" + NS + "\",service=\"" + service + "\"";
    }

    private static String copy(String service, String track) {
        return service(service) + ",pod=~\"" + service + "-" + track + "-.+\"";
    }

    private Deployment deployment(String name) {
        return harness.apps().deployments().inNamespace(NS).withName(name).get();
    }

    private StatefulSet statefulSet() {
        return harness.apps().statefulSets().inNamespace(NS).withName(SEARCH).get();
    }

    private static int partition(StatefulSet s) {
        var rolling = s.getSpec().getUpdateStrategy().getRollingUpdate();
        return rolling == null || rolling.getPartition() == null ? 0 : rolling.getPartition();
    }

    private String image(String service) {
        var template = service.equals(SEARCH) ? statefulSet().getSpec().getTemplate()
                : deployment(service).getSpec().getTemplate();
        return template.getSpec().getContainers().getFirst().getImage();
    }

    private int replicas(String deployment) {
        return deployment(deployment).getSpec().getReplicas();
    }

    private String pausedAnnotation(String scaledObject) {
        GenericKubernetesResource so = harness.genericKubernetesResources("keda.sh/v1alpha1", "ScaledObject")
                .inNamespace(NS).withName(scaledObject).get();
        return so.getMetadata().getAnnotations() == null ? null
                : so.getMetadata().getAnnotations().get("autoscaling.keda.sh/paused");
    }
}
