package io.ragline.core.chunk;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Splits text into overlapping chunks at sentence and paragraph boundaries. Sizes are counted in
 * words here; about 1.3 model tokens per English word keeps the defaults inside bge-small's 512.
 */
public final class Chunker {
    private static final Pattern PARAGRAPH = Pattern.compile("\\n\\s*\\n");
    // a sentence ends at . ! ? followed by whitespace; abbreviations occasionally split early, harmlessly
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final int targetWords;
    private final int overlapWords;

    public Chunker(int targetWords, int overlapWords) {
        if (targetWords < 8) {
            throw new IllegalArgumentException("targetWords must be at least 8, was " + targetWords);
        }
        if (overlapWords < 0 || overlapWords >= targetWords / 2) {
            throw new IllegalArgumentException("overlapWords must be in [0, targetWords/2), was " + overlapWords);
        }
        this.targetWords = targetWords;
        this.overlapWords = overlapWords;
    }

    public static Chunker defaults() {
        return new Chunker(200, 30);
    }

    public List<String> chunk(String text) {
        List<String[]> sentences = new ArrayList<>();
        for (String paragraph : PARAGRAPH.split(text)) {
            for (String sentence : SENTENCE_END.split(paragraph.strip())) {
                String[] words = WHITESPACE.split(sentence.strip());
                if (words.length == 1 && words[0].isEmpty()) {
                    continue;
                }
                // a sentence longer than a chunk is cut into chunk-sized pieces
                for (int from = 0; from < words.length; from += targetWords) {
                    sentences.add(java.util.Arrays.copyOfRange(words, from, Math.min(words.length, from + targetWords)));
                }
            }
        }
        List<String> chunks = new ArrayList<>();
        List<String[]> current = new ArrayList<>();
        int currentWords = 0;
        int fresh = 0; // sentences in `current` not already emitted in a previous chunk
        for (String[] sentence : sentences) {
            if (currentWords + sentence.length > targetWords && fresh > 0) {
                chunks.add(join(current));
                // carry the tail sentences (up to overlapWords) into the next chunk for context
                List<String[]> tail = new ArrayList<>();
                int tailWords = 0;
                for (int i = current.size() - 1; i >= 0; i--) {
                    int n = current.get(i).length;
                    if (tailWords + n > overlapWords) {
                        break;
                    }
                    tail.addFirst(current.get(i));
                    tailWords += n;
                }
                current = tail;
                currentWords = tailWords;
                fresh = 0;
            }
            current.add(sentence);
            currentWords += sentence.length;
            fresh++;
        }
        if (fresh > 0) {
            chunks.add(join(current));
        }
        return chunks;
    }

    private static String join(List<String[]> sentences) {
        StringBuilder sb = new StringBuilder();
        for (String[] sentence : sentences) {
            for (String word : sentence) {
                if (!sb.isEmpty()) {
                    sb.append(' ');
                }
                sb.append(word);
            }
        }
        return sb.toString();
    }
}
