package io.ragline.ops;

import io.ragline.ops.restore.IngestionControl;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Ingestion control that records what it was told; the runtime's real one stops its consumers. */
public final class RecordingIngestion implements IngestionControl {
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private volatile boolean paused;

    @Override
    public void pause(String reason) {
        calls.add("pause");
        paused = true;
    }

    @Override
    public void resume() {
        calls.add("resume");
        paused = false;
    }

    @Override
    public boolean paused() {
        return paused;
    }

    public List<String> calls() {
        return List.copyOf(calls);
    }
}
