package io.ragline.core.chunk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Splits text into chunks measured in the embedding model's tokens: sentences are packed up to a
 * target, paragraphs and sentences are never split unless one alone is too long, consecutive
 * chunks overlap by whole sentences, and no chunk plus its title exceeds what the model reads.
 */
public final class TokenChunker {
    private static final Pattern PARAGRAPH = Pattern.compile("\\n\\s*\\n");
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    /** [CLS], [SEP] and the newline between title and text. */
    private static final int RESERVED = 3;
    /** A title longer than this is cut, so that it cannot crowd out the chunk's own text. */
    public static final int MAX_TITLE_TOKENS = 64;

    private final TokenCounter tokens;
    private final int targetTokens;
    private final int overlapTokens;
    private final int maxTokens;

    /**
     * @param targetTokens  tokens a chunk aims at
     * @param overlapTokens tokens of the previous chunk's last sentences repeated at the start of the next
     * @param maxTokens     the model's maximum input, special tokens included
     */
    public TokenChunker(TokenCounter tokens, int targetTokens, int overlapTokens, int maxTokens) {
        if (targetTokens < 16 || targetTokens > maxTokens - RESERVED - MAX_TITLE_TOKENS) {
            throw new IllegalArgumentException("targetTokens must be in [16, " + (maxTokens - RESERVED - MAX_TITLE_TOKENS)
                    + "] for a model of " + maxTokens + " tokens, was " + targetTokens);
        }
        if (overlapTokens < 0 || overlapTokens > targetTokens / 2) {
            throw new IllegalArgumentException("overlapTokens must be in [0, targetTokens/2], was " + overlapTokens);
        }
        this.tokens = tokens;
        this.targetTokens = targetTokens;
        this.overlapTokens = overlapTokens;
        this.maxTokens = maxTokens;
    }

    /** Defaults for bge-small (512 tokens): 256-token chunks overlapping by about 32 tokens. */
    public static TokenChunker forModel(TokenCounter tokens, int maxTokens) {
        int target = Math.min(256, maxTokens - RESERVED - MAX_TITLE_TOKENS);
        return new TokenChunker(tokens, target, Math.min(32, target / 8), maxTokens);
    }

    /** The title as it is carried into every chunk: at most {@link #MAX_TITLE_TOKENS} tokens. */
    public String fitTitle(String title) {
        if (title == null || title.isBlank()) {
            return title;
        }
        String fitted = title.strip();
        while (tokens.count(fitted) > MAX_TITLE_TOKENS) {
            fitted = fitted.substring(0, (int) (fitted.length() * 0.8)).strip();
        }
        return fitted;
    }

    public List<String> chunk(String title, String text) {
        String fittedTitle = fitTitle(title);
        int budget = maxTokens - RESERVED - (fittedTitle == null || fittedTitle.isBlank() ? 0 : tokens.count(fittedTitle));
        int target = Math.min(targetTokens, budget);
        List<Piece> pieces = new ArrayList<>();
        for (String paragraph : PARAGRAPH.split(text)) {
            for (String sentence : SENTENCE_END.split(paragraph.strip())) {
                String s = sentence.strip();
                if (!s.isEmpty()) {
                    pieces.addAll(fit(s, target));
                }
            }
        }
        List<String> chunks = new ArrayList<>();
        List<Piece> current = new ArrayList<>();
        int size = 0;
        int fresh = 0;
        for (Piece piece : pieces) {
            // +1: the space that joins two pieces may itself be a token boundary
            if (fresh > 0 && size + piece.tokens + 1 > target) {
                chunks.add(join(current));
                List<Piece> tail = new ArrayList<>();
                int tailSize = 0;
                for (int i = current.size() - 1; i >= 0 && tailSize + current.get(i).tokens <= overlapTokens; i--) {
                    tail.addFirst(current.get(i));
                    tailSize += current.get(i).tokens + 1;
                }
                current = tail;
                size = tailSize;
                fresh = 0;
            }
            current.add(piece);
            size += piece.tokens + 1;
            fresh++;
        }
        if (fresh > 0) {
            chunks.add(join(current));
        }
        return chunks;
    }

    private record Piece(String text, int tokens) {
    }

    /** A sentence as one piece, or cut at word boundaries into pieces that each fit the target. */
    private List<Piece> fit(String sentence, int target) {
        int n = tokens.count(sentence);
        if (n <= target) {
            return List.of(new Piece(sentence, n));
        }
        String[] words = WHITESPACE.split(sentence);
        if (words.length == 1) {
            // one enormous "word" (a URL, base64...): cut it by characters
            int half = sentence.length() / 2;
            List<Piece> out = new ArrayList<>(fit(sentence.substring(0, half), target));
            out.addAll(fit(sentence.substring(half), target));
            return out;
        }
        int mid = words.length / 2;
        List<Piece> out = new ArrayList<>(fit(String.join(" ", Arrays.copyOfRange(words, 0, mid)), target));
        out.addAll(fit(String.join(" ", Arrays.copyOfRange(words, mid, words.length)), target));
        return out;
    }

    private static String join(List<Piece> pieces) {
        StringBuilder sb = new StringBuilder();
        for (Piece p : pieces) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(p.text);
        }
        return sb.toString();
    }
}
