package io.ragline.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ragline.core.model.ModelTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With the real bge-small tokenizer. */
class TokenChunkerTest {
    private static ModelTokenizer tokenizer;

    @BeforeAll
    static void load(@TempDir Path cache) {
        tokenizer = ModelTokenizer.bundled(cache);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void chunksStayWithinTheTargetAndNeverExceedTheModelWithTheirTitle() {
        String title = "A long title about the history of cataloguing in public libraries";
        String text = "The catalogue records every book the library holds. ".repeat(200)
                + "\n\n" + "Supercalifragilistic".repeat(300); // one "word" far longer than a chunk
        TokenChunker chunker = new TokenChunker(tokenizer, 128, 16, 512);
        List<String> chunks = chunker.chunk(title, text);
        assertThat(chunks).hasSizeGreaterThan(10);
        for (String chunk : chunks) {
            assertThat(tokenizer.count(chunk)).isLessThanOrEqualTo(128 + 2);
            assertThat(tokenizer.count(title + "\n" + chunk) + 2).isLessThanOrEqualTo(512);
        }
    }

    @Test
    void chunksEndAtSentencesAndOverlapByWholeSentences() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            text.append("Sentence number ").append(i).append(" talks about topic ").append(i).append(". ");
        }
        List<String> chunks = new TokenChunker(tokenizer, 64, 16, 512).chunk(null, text.toString());
        assertThat(chunks).allSatisfy(c -> {
            assertThat(c).startsWith("Sentence number ");
            assertThat(c).endsWith(".");
        });
        for (int i = 1; i < chunks.size(); i++) {
            String previous = chunks.get(i - 1);
            String lastSentence = previous.substring(previous.lastIndexOf("Sentence number "));
            assertThat(chunks.get(i)).as("chunk %d repeats the end of chunk %d", i, i - 1).startsWith(lastSentence);
        }
    }

    @Test
    void aShortTextIsOneChunkAndAnOverlongTitleIsCut() {
        TokenChunker chunker = TokenChunker.forModel(tokenizer, 512);
        assertThat(chunker.chunk("Title", "Just one sentence.")).containsExactly("Just one sentence.");
        String longTitle = "word ".repeat(500);
        assertThat(tokenizer.count(chunker.fitTitle(longTitle))).isLessThanOrEqualTo(TokenChunker.MAX_TITLE_TOKENS);
    }

    @Test
    void impossibleSettingsAreRefused() {
        assertThatThrownBy(() -> new TokenChunker(tokenizer, 500, 16, 512)).hasMessageContaining("targetTokens");
        assertThatThrownBy(() -> new TokenChunker(tokenizer, 128, 100, 512)).hasMessageContaining("overlapTokens");
    }
}
