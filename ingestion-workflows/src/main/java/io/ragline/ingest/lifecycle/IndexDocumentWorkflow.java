package io.ragline.ingest.lifecycle;

import io.ragline.core.event.LifecycleEvent;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One document version's lifecycle: CHUNKED → EMBEDDED → ACTIVE (or DELETED / FAILED). Its id is
 * derived from the document key and version, so a redelivered event cannot start a twin.
 */
@WorkflowInterface
public interface IndexDocumentWorkflow {
    String TASK_QUEUE = "ragline-documents";

    static String workflowId(String tenant, String documentId, long version) {
        return "document/" + tenant + "/" + documentId + "/v" + version;
    }

    @WorkflowMethod
    LifecycleProgress run(LifecycleEvent event);

    @QueryMethod
    LifecycleProgress status();
}
