package io.ragline.ingest.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.ragline.core.Topics;
import io.ragline.core.event.ChunkEvent;
import io.ragline.core.event.DlqReason;
import io.ragline.core.event.DlqRecord;
import io.ragline.core.event.DocumentV1;
import io.ragline.core.event.LifecycleEvent;
import io.ragline.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import io.ragline.core.model.ModelTokenizer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IngestTopologyTest {
    private static final IngestConfig CONFIG = new IngestConfig(20_000, 200, 32, 8);
    private static ModelTokenizer tokenizer;

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> documents;
    private TestOutputTopic<byte[], byte[]> chunks;
    private TestOutputTopic<byte[], byte[]> lifecycle;
    private TestOutputTopic<byte[], byte[]> dlq;

    @BeforeAll
    static void loadTokenizer(@TempDir Path cache) {
        tokenizer = ModelTokenizer.bundled(cache);
    }

    @AfterAll
    static void closeTokenizer() {
        tokenizer.close();
    }

    @BeforeEach
    void setUp() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ingest-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(IngestTopology.build(CONFIG, tokenizer, tokenizer.maxTokens()), props);
        ByteArraySerializer ser = new ByteArraySerializer();
        ByteArrayDeserializer de = new ByteArrayDeserializer();
        documents = driver.createInputTopic(Topics.DOCUMENTS, ser, ser);
        chunks = driver.createOutputTopic(Topics.CHUNKS, de, de);
        lifecycle = driver.createOutputTopic(Topics.LIFECYCLE, de, de);
        dlq = driver.createOutputTopic(Topics.DOCUMENTS_DLQ, de, de);
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void aValidDocumentIsChunkedAndStartsVersionOne() {
        String text = "First sentence about herons. ".repeat(12);
        publish("acme/doc-1", DocumentV1.upsert("acme", "doc-1", "Herons", text, "text/plain", "src", Map.of("k", "v")));

        List<ChunkEvent> out = chunks.readValuesToList().stream().map(v -> Json.read(v, ChunkEvent.class)).toList();
        assertThat(out).hasSizeGreaterThan(1);
        assertThat(out).allSatisfy(c -> {
            assertThat(c.version()).isEqualTo(1);
            assertThat(c.chunkCount()).isEqualTo(out.size());
            assertThat(c.title()).isEqualTo("Herons");
            assertThat(c.metadata()).containsEntry("k", "v");
        });
        assertThat(out).extracting(ChunkEvent::seq).containsExactly(java.util.stream.IntStream.range(0, out.size()).boxed().toArray(Integer[]::new));
        LifecycleEvent event = Json.read(lifecycle.readValue(), LifecycleEvent.class);
        assertThat(event.op()).isEqualTo(LifecycleEvent.LifecycleOp.INDEX);
        assertThat(event.version()).isEqualTo(1);
        assertThat(event.chunkCount()).isEqualTo(out.size());
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void tagsAndTheDocumentTimestampTravelOnEveryChunk() {
        List<String> tags = java.util.stream.IntStream.range(0, 32).mapToObj(i -> i == 0 ? "x".repeat(64) : "tag" + i).toList();
        java.time.Instant written = java.time.Instant.parse("2024-02-29T10:15:30Z");
        DocumentV1 doc = DocumentV1.upsert("acme", "doc-1", "Herons", "First sentence about herons. ".repeat(12),
                "text/plain", "src", Map.of()).withTags(tags).withTimestamp(written);
        documents.pipeInput("acme/doc-1".getBytes(StandardCharsets.UTF_8), Json.write(doc), java.time.Instant.parse("2026-01-01T00:00:00Z"));

        List<ChunkEvent> out = chunks.readValuesToList().stream().map(v -> Json.read(v, ChunkEvent.class)).toList();
        assertThat(out).hasSizeGreaterThan(1).allSatisfy(c -> {
            assertThat(c.tags()).isEqualTo(tags);
            assertThat(c.timestamp()).isEqualTo(written.toEpochMilli());
        });
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void withoutATimestampChunksCarryTheRecordTimeAndOldRecordsStillParse() {
        java.time.Instant recordTime = java.time.Instant.parse("2025-06-01T08:00:00Z");
        String old = "{\"schema\":\"ragline.document.v1\",\"id\":\"d\",\"tenant\":\"t\",\"text\":\"Plain old record.\"}";
        documents.pipeInput("t/d".getBytes(StandardCharsets.UTF_8), old.getBytes(StandardCharsets.UTF_8), recordTime);

        ChunkEvent chunk = Json.read(chunks.readValue(), ChunkEvent.class);
        assertThat(chunk.timestamp()).isEqualTo(recordTime.toEpochMilli());
        assertThat(chunk.tags()).isNull();
        // a chunk written before tags and timestamp existed still parses
        ChunkEvent legacy = Json.mapper().convertValue(Map.of("schema", ChunkEvent.SCHEMA, "tenant", "t", "documentId", "d",
                "version", 1, "chunkId", "t/d#1#0", "text", "x"), ChunkEvent.class);
        assertThat(legacy.tags()).isNull();
        assertThat(legacy.timestamp()).isNull();
    }

    @Test
    void changedTagsMakeANewVersion() {
        DocumentV1 doc = DocumentV1.upsert("acme", "doc-1", "T", "Some text.", "text/plain", null, Map.of());
        publish("acme/doc-1", doc);
        publish("acme/doc-1", doc.withTags(List.of("draft")));
        publish("acme/doc-1", doc.withTags(List.of("draft")));
        assertThat(lifecycle.readValuesToList()).extracting(v -> Json.read(v, LifecycleEvent.class).version())
                .containsExactly(1L, 2L);
    }

    @Test
    void identicalContentIsANoOpAndChangedContentIsANewVersion() {
        DocumentV1 doc = DocumentV1.upsert("acme", "doc-1", "T", "Some text.", "text/plain", null, Map.of());
        publish("acme/doc-1", doc);
        publish("acme/doc-1", doc);
        assertThat(lifecycle.readValuesToList()).hasSize(1);
        chunks.readValuesToList();

        publish("acme/doc-1", DocumentV1.upsert("acme", "doc-1", "T", "Other text.", "text/plain", null, Map.of()));
        LifecycleEvent v2 = Json.read(lifecycle.readValue(), LifecycleEvent.class);
        assertThat(v2.version()).isEqualTo(2);
        assertThat(Json.read(chunks.readValue(), ChunkEvent.class).chunkId()).isEqualTo("acme/doc-1#2#0");
    }

    @Test
    void deleteAndTombstoneDeleteOnceAndAReUpsertStartsANewVersion() {
        publish("acme/a", DocumentV1.upsert("acme", "a", null, "Alpha.", "text/plain", null, Map.of()));
        publish("acme/b", DocumentV1.upsert("acme", "b", null, "Beta.", "text/plain", null, Map.of()));
        lifecycle.readValuesToList();

        publish("acme/a", DocumentV1.delete("acme", "a"));
        documents.pipeInput("acme/b".getBytes(StandardCharsets.UTF_8), (byte[]) null);
        publish("acme/a", DocumentV1.delete("acme", "a")); // already deleted: no-op
        List<LifecycleEvent> deletes = lifecycle.readValuesToList().stream().map(v -> Json.read(v, LifecycleEvent.class)).toList();
        assertThat(deletes).extracting(LifecycleEvent::documentKey, LifecycleEvent::op, LifecycleEvent::version)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("acme/a", LifecycleEvent.LifecycleOp.DELETE, 2L),
                        org.assertj.core.groups.Tuple.tuple("acme/b", LifecycleEvent.LifecycleOp.DELETE, 2L));

        publish("acme/a", DocumentV1.upsert("acme", "a", null, "Alpha.", "text/plain", null, Map.of()));
        assertThat(Json.read(lifecycle.readValue(), LifecycleEvent.class).version()).isEqualTo(3);
    }

    static Stream<Arguments> refusals() {
        String ok = "{\"schema\":\"ragline.document.v1\",\"id\":\"d\",\"tenant\":\"t\",\"text\":\"x\"}";
        return Stream.of(
                Arguments.of("t/d", "{not json", DlqReason.INVALID_JSON),
                Arguments.of("t/d", "[1,2]", DlqReason.INVALID_JSON),
                Arguments.of("t/d", ok.replace("ragline.document.v1", "ragline.document.v9"), DlqReason.UNKNOWN_SCHEMA),
                Arguments.of("t/d", "{\"schema\":\"ragline.document.v1\",\"tenant\":\"t\",\"text\":\"x\"}", DlqReason.MISSING_ID),
                Arguments.of("t/d", "{\"schema\":\"ragline.document.v1\",\"id\":\"d\",\"text\":\"x\"}", DlqReason.MISSING_TENANT),
                Arguments.of("t/other", ok, DlqReason.KEY_MISMATCH),
                Arguments.of("t/d", ok.replace("\"t\"", "\"bad tenant!\""), DlqReason.INVALID_ID),
                Arguments.of("t/d", ok.replace("\"text\":\"x\"", "\"op\":\"MERGE\""), DlqReason.INVALID_OP),
                Arguments.of("t/d", ok.replace(",\"text\":\"x\"", ""), DlqReason.MISSING_TEXT),
                Arguments.of("t/d", ok.replace("\"x\"", "\"" + "x".repeat(20_001) + "\""), DlqReason.TEXT_TOO_LARGE),
                Arguments.of("t/d", ok.replace("}", ",\"contentType\":\"application/zip\"}"), DlqReason.UNSUPPORTED_CONTENT_TYPE),
                Arguments.of("t/d", ok.replace("}", ",\"metadata\":{\"a\":{\"nested\":1}}}"), DlqReason.METADATA_INVALID),
                Arguments.of("t/d", ok.replace("}", ",\"metadata\":{\"a\":\"" + "m".repeat(300) + "\"}}"), DlqReason.METADATA_INVALID),
                Arguments.of("t/d", ok.replace("\"x\"", "\"   \""), DlqReason.EMPTY_TEXT),
                Arguments.of("t/d", ok.replace("}", ",\"tags\":\"news\"}"), DlqReason.TAGS_INVALID),
                Arguments.of("t/d", ok.replace("}", ",\"tags\":[\"ok\",7]}"), DlqReason.TAGS_INVALID),
                Arguments.of("t/d", ok.replace("}", ",\"tags\":[\"\"]}"), DlqReason.TAGS_INVALID),
                Arguments.of("t/d", ok.replace("}", ",\"tags\":[\"" + "t".repeat(65) + "\"]}"), DlqReason.TAGS_INVALID),
                Arguments.of("t/d", ok.replace("}", ",\"tags\":" + Json.writeString(
                        java.util.stream.IntStream.range(0, 33).mapToObj(i -> "t" + i).toList()) + "}"), DlqReason.TAGS_INVALID),
                Arguments.of("t/d", ok.replace("}", ",\"timestamp\":\"yesterday\"}"), DlqReason.TIMESTAMP_INVALID),
                Arguments.of("t/d", ok.replace("}", ",\"timestamp\":1714564800000}"), DlqReason.TIMESTAMP_INVALID));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("refusals")
    void invalidRecordsGoToTheDlqWithTheirReasonAndOriginal(String key, String value, DlqReason reason) {
        documents.pipeInput(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
        TestRecord<byte[], byte[]> record = dlq.readRecord();
        DlqRecord refused = Json.read(record.value(), DlqRecord.class);
        assertThat(refused.reason()).isEqualTo(reason);
        assertThat(refused.detail()).isNotBlank();
        assertThat(refused.originalKey()).isEqualTo(key);
        assertThat(refused.originalValue()).isEqualTo(value);
        assertThat(new String(record.headers().lastHeader(DlqRecord.REASON_HEADER).value(), StandardCharsets.UTF_8))
                .isEqualTo(reason.name());
        assertThat(chunks.isEmpty()).isTrue();
        assertThat(lifecycle.isEmpty()).isTrue();
    }

    @Test
    void invalidUtf8IsKeptAsBase64() {
        byte[] bad = {'{', (byte) 0xC3, (byte) 0x28, '}'};
        documents.pipeInput("t/d".getBytes(StandardCharsets.UTF_8), bad);
        DlqRecord refused = Json.read(dlq.readValue(), DlqRecord.class);
        assertThat(refused.reason()).isEqualTo(DlqReason.INVALID_ENCODING);
        assertThat(refused.originalValueEncoding()).isEqualTo("base64");
        assertThat(java.util.Base64.getDecoder().decode(refused.originalValue())).isEqualTo(bad);
    }

    @Test
    void aRecordWithoutKeyIsRefused() {
        documents.pipeInput((byte[]) null, "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(Json.read(dlq.readValue(), DlqRecord.class).reason()).isEqualTo(DlqReason.KEY_MISMATCH);
    }

    @Test
    void htmlIsExtractedWithTikaWithoutItsMarkup() {
        String html = "<html><head><title>t</title><script>var tracking = 1;</script></head>"
                + "<body><h1>Kingfishers</h1><p>The <b>kingfisher</b> dives for fish.</p></body></html>";
        publish("acme/page.html", new DocumentV1(DocumentV1.SCHEMA, "page.html", "acme", null, "Birds", html, null,
                "text/html; charset=utf-8", null, "en", Map.of()));
        ChunkEvent chunk = Json.read(chunks.readValue(), ChunkEvent.class);
        assertThat(chunk.text()).contains("Kingfishers", "The kingfisher dives for fish.").doesNotContain("<", "tracking");
    }

    @Test
    void aPdfInBase64ContentIsExtracted() throws Exception {
        byte[] pdf;
        try (var document = new org.apache.pdfbox.pdmodel.PDDocument();
             var out = new java.io.ByteArrayOutputStream()) {
            var page = new org.apache.pdfbox.pdmodel.PDPage();
            document.addPage(page);
            try (var content = new org.apache.pdfbox.pdmodel.PDPageContentStream(document, page)) {
                content.beginText();
                content.setFont(new org.apache.pdfbox.pdmodel.font.PDType1Font(
                        org.apache.pdfbox.pdmodel.font.Standard14Fonts.FontName.HELVETICA), 12);
                content.newLineAtOffset(72, 700);
                content.showText("Quarterly report: revenue grew in every region.");
                content.endText();
            }
            document.save(out);
            pdf = out.toByteArray();
        }
        publish("acme/report.pdf", DocumentV1.binary("acme", "report.pdf", "Report", pdf, "application/pdf", null, Map.of()));
        assertThat(Json.read(chunks.readValue(), ChunkEvent.class).text()).contains("revenue grew in every region");
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void aDocxInBase64ContentIsExtracted() throws Exception {
        byte[] docx;
        try (var document = new org.apache.poi.xwpf.usermodel.XWPFDocument();
             var out = new java.io.ByteArrayOutputStream()) {
            document.createParagraph().createRun().setText("Minutes of the board meeting about the new library.");
            document.write(out);
            docx = out.toByteArray();
        }
        publish("acme/minutes.docx", DocumentV1.binary("acme", "minutes.docx", "Minutes", docx, TextExtractor.DOCX, null, Map.of()));
        assertThat(dlq.readValuesToList()).extracting(v -> Json.read(v, DlqRecord.class).detail()).isEmpty();
        assertThat(Json.read(chunks.readValue(), ChunkEvent.class).text()).contains("board meeting about the new library");
    }

    @Test
    void markdownLosesItsMarkupButKeepsItsWords() {
        String md = "# Release notes\n\n- **Faster** search with [hybrid ranking](https://x.example)\n\n```\ncode\n```\n"
                + "Reason codes such as INVALID_JSON keep their _underscores_.\n";
        publish("acme/notes.md", new DocumentV1(DocumentV1.SCHEMA, "notes.md", "acme", null, null, md, null,
                "text/markdown", null, "en", Map.of()));
        assertThat(Json.read(chunks.readValue(), ChunkEvent.class).text())
                .contains("Release notes", "Faster search with hybrid ranking", "INVALID_JSON keep their underscores")
                .doesNotContain("#", "**", "](", "```");
    }

    static Stream<Arguments> binaryRefusals() {
        String base = "{\"schema\":\"ragline.document.v1\",\"id\":\"d\",\"tenant\":\"t\",\"contentType\":\"application/pdf\"";
        return Stream.of(
                Arguments.of(base + ",\"content\":\"" + java.util.Base64.getEncoder().encodeToString("not a pdf at all".getBytes()) + "\"}",
                        DlqReason.EXTRACTION_FAILED),
                Arguments.of(base + ",\"content\":\"%%% not base64 %%%\"}", DlqReason.INVALID_ENCODING),
                Arguments.of(base + ",\"text\":\"a pdf needs content\"}", DlqReason.MISSING_TEXT));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("binaryRefusals")
    void brokenBinaryDocumentsGoToTheDlqWithoutStoppingTheStream(String value, DlqReason reason) {
        documents.pipeInput("t/d".getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
        assertThat(Json.read(dlq.readValue(), DlqRecord.class).reason()).isEqualTo(reason);
        // the stream goes on with the next record
        publish("t/ok", DocumentV1.upsert("t", "ok", null, "Fine.", "text/plain", null, Map.of()));
        assertThat(Json.read(lifecycle.readValue(), LifecycleEvent.class).documentId()).isEqualTo("ok");
    }

    private void publish(String key, DocumentV1 doc) {
        documents.pipeInput(key.getBytes(StandardCharsets.UTF_8), Json.write(doc));
    }
}
