package io.ragline.bench;

import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsResponse;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * How much Temporal a run cost: the workflows in the namespace (by type) and their history events,
 * read from the server's visibility and history APIs (the test server keeps both in memory).
 */
final class TemporalCounts {
    record Counts(Map<String, Long> workflowsByType, long workflows, long historyEvents) {
    }

    private TemporalCounts() {
    }

    static Counts read(String target, String namespace) {
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
        try {
            List<WorkflowExecutionInfo> all = new ArrayList<>();
            ByteString token = ByteString.EMPTY;
            do {
                ListClosedWorkflowExecutionsResponse page = stubs.blockingStub().listClosedWorkflowExecutions(
                        ListClosedWorkflowExecutionsRequest.newBuilder().setNamespace(namespace).setMaximumPageSize(1000)
                                .setNextPageToken(token).build());
                all.addAll(page.getExecutionsList());
                token = page.getNextPageToken();
            } while (!token.isEmpty());
            token = ByteString.EMPTY;
            do {
                ListOpenWorkflowExecutionsResponse page = stubs.blockingStub().listOpenWorkflowExecutions(
                        ListOpenWorkflowExecutionsRequest.newBuilder().setNamespace(namespace).setMaximumPageSize(1000)
                                .setNextPageToken(token).build());
                all.addAll(page.getExecutionsList());
                token = page.getNextPageToken();
            } while (!token.isEmpty());
            Map<String, Long> byType = new TreeMap<>();
            long events = 0;
            for (WorkflowExecutionInfo info : all) {
                byType.merge(info.getType().getName(), 1L, Long::sum);
                events += historyLength(stubs, namespace, info.getExecution());
            }
            return new Counts(byType, all.size(), events);
        } finally {
            stubs.shutdown();
            stubs.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static long historyLength(WorkflowServiceStubs stubs, String namespace, WorkflowExecution execution) {
        long events = 0;
        ByteString token = ByteString.EMPTY;
        do {
            GetWorkflowExecutionHistoryResponse page = stubs.blockingStub().getWorkflowExecutionHistory(
                    GetWorkflowExecutionHistoryRequest.newBuilder().setNamespace(namespace).setExecution(execution)
                            .setNextPageToken(token).build());
            events += page.getHistory().getEventsCount();
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return events;
    }
}
