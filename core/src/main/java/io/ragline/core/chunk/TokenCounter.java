package io.ragline.core.chunk;

/** Counts the tokens a model sees for a piece of text (without its special tokens). */
@FunctionalInterface
public interface TokenCounter {
    int count(String text);
}
