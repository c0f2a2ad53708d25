package io.ragline.core.generation;

/** What a re-index asks of a search replica about its index generations. */
public interface GenerationProbe {
    GenerationStatus generations();
}
