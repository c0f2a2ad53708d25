package io.ragline.ops.dr;

/** DRILL proves recovery and tears the target down; FAILOVER moves traffic to it and keeps it. */
public enum DrMode {
    DRILL,
    FAILOVER
}
