package io.ragline.devstack.cli;

import io.ragline.core.Topics;
import io.ragline.core.event.DocumentV1;
import io.ragline.core.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Publish files to ragline.documents as ragline.document.v1 records: text (*.txt), Markdown "
                + "(*.md, *.markdown), HTML (*.html, *.htm), PDF (*.pdf) and Word (*.docx).",
                "The file name is the document id; a directory is read recursively."})
final class PublishCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE_OR_DIR", description = "Files or directories to publish.")
    List<Path> paths;

    @Option(names = "--tenant", defaultValue = "${env:RAGLINE_TENANT:-default}",
            description = "Tenant of the documents (RAGLINE_TENANT, default: ${DEFAULT-VALUE}).")
    String tenant;

    @Option(names = "--bootstrap-servers", defaultValue = "${env:RAGLINE_KAFKA_BOOTSTRAP:-127.0.0.1:9092}",
            description = "Kafka bootstrap servers (RAGLINE_KAFKA_BOOTSTRAP, default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Override
    public Integer call() throws Exception {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (!Files.exists(path)) {
                System.err.println("error: " + path + " does not exist");
                return 2;
            }
            try (Stream<Path> walk = Files.walk(path)) {
                walk.filter(Files::isRegularFile).filter(PublishCommand::isText).sorted().forEach(files::add);
            }
        }
        if (files.isEmpty()) {
            System.err.println("error: no .txt, .md, .markdown, .html, .htm, .pdf or .docx files in " + paths);
            return 2;
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_DOCUMENT_RECORD_BYTES,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Path file : files) {
                DocumentV1 doc = toDocument(file);
                producer.send(new ProducerRecord<>(Topics.DOCUMENTS,
                        Topics.documentKey(tenant, doc.id()).getBytes(StandardCharsets.UTF_8), Json.write(doc)))
                        .get(30, TimeUnit.SECONDS);
                System.out.printf("published %s/%s  (%s)%n", tenant, doc.id(), file);
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            System.err.println("error: could not publish to Kafka at " + bootstrapServers
                    + " (is `./ragline up` running?): " + e.getMessage());
            return 1;
        }
        System.out.printf("%d document(s) published to %s for tenant '%s'.%n", files.size(), Topics.DOCUMENTS, tenant);
        return 0;
    }

    private DocumentV1 toDocument(Path file) throws IOException {
        String name = file.getFileName().toString();
        String type = contentType(name);
        String source = file.toAbsolutePath().toUri().toString();
        if (type.startsWith("application/")) {
            return DocumentV1.binary(tenant, name, stem(name), Files.readAllBytes(file), type, source, Map.of());
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return DocumentV1.upsert(tenant, name, title(text, name), text, type, source, Map.of());
    }

    private static String contentType(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".md") || n.endsWith(".markdown")) {
            return "text/markdown";
        }
        if (n.endsWith(".html") || n.endsWith(".htm")) {
            return "text/html";
        }
        if (n.endsWith(".pdf")) {
            return "application/pdf";
        }
        if (n.endsWith(".docx")) {
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
        }
        return "text/plain";
    }

    private static String stem(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static final java.util.regex.Pattern HTML_TITLE =
            java.util.regex.Pattern.compile("<title[^>]*>([^<]+)</title>", java.util.regex.Pattern.CASE_INSENSITIVE);

    /** An HTML title or the first Markdown heading, else the file name without extension. */
    private static String title(String text, String name) {
        java.util.regex.Matcher html = HTML_TITLE.matcher(text);
        if (html.find() && !html.group(1).isBlank()) {
            return html.group(1).strip();
        }
        for (String line : text.lines().limit(20).toList()) {
            if (line.startsWith("# ")) {
                return line.substring(2).strip();
            }
        }
        return stem(name);
    }

    private static boolean isText(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return java.util.List.of(".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx").stream().anyMatch(n::endsWith);
    }
}
