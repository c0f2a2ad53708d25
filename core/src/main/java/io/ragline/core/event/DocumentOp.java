package io.ragline.core.event;

public enum DocumentOp {
    UPSERT, DELETE
}
