package io.ragline.ingest.topology;

import io.ragline.core.validation.ContentTypes;
import io.ragline.core.validation.Refusal;
import io.ragline.core.validation.TextExtraction;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.tika.exception.TikaException;
import org.apache.tika.exception.WriteLimitReachedException;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.Parser;
import org.apache.tika.parser.html.JSoupParser;
import org.apache.tika.parser.microsoft.ooxml.OOXMLParser;
import org.apache.tika.parser.pdf.PDFParser;
import org.apache.tika.sax.BodyContentHandler;
import org.xml.sax.SAXException;

/**
 * Turns a document's declared format into plain text: Apache Tika for HTML, PDF and DOCX; a light
 * markup strip for Markdown; plain text as it is.
 */
final class TextExtractor implements TextExtraction {
    static final String PLAIN = ContentTypes.PLAIN;
    static final String MARKDOWN = ContentTypes.MARKDOWN;
    static final String HTML = ContentTypes.HTML;
    static final String PDF = ContentTypes.PDF;
    static final String DOCX = ContentTypes.DOCX;

    private static final Pattern MD_CODE_FENCE = Pattern.compile("(?m)^\\s*(```|~~~).*$");
    private static final Pattern MD_IMAGE = Pattern.compile("!\\[([^\\]]*)\\]\\([^)]*\\)");
    private static final Pattern MD_LINK = Pattern.compile("\\[([^\\]]+)\\]\\([^)]*\\)");
    private static final Pattern MD_HEADING = Pattern.compile("(?m)^\\s{0,3}#{1,6}\\s*");
    private static final Pattern MD_QUOTE_OR_BULLET = Pattern.compile("(?m)^\\s*(>+|[-*+]|\\d+[.)])\\s+");
    // only at word edges: snake_case names such as INVALID_JSON keep their underscores
    private static final Pattern MD_EMPHASIS = Pattern.compile("(?<![\\w*_`])(\\*\\*|__|\\*|_|`)(\\S(?:.*?\\S)?)\\1(?![\\w*_`])");
    private static final Pattern MD_RULE = Pattern.compile("(?m)^\\s*([-*_]\\s*){3,}$");

    // the declared format decides the parser: bytes that are not what the producer says are refused,
    // not guessed at (auto-detection would index a mislabelled file as something else)
    private final Map<String, Parser> parsers = Map.of(
            HTML, new JSoupParser(),
            PDF, new PDFParser(),
            DOCX, new OOXMLParser());

    /** @throws Refusal EXTRACTION_FAILED when the bytes cannot be read as the declared format */
    @Override
    public String extract(String contentType, byte[] bytes, int maxChars) throws Refusal {
        return switch (contentType) {
            case PLAIN -> new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
            case MARKDOWN -> markdown(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
            default -> tika(contentType, bytes, maxChars);
        };
    }

    static String markdown(String md) {
        String s = MD_CODE_FENCE.matcher(md).replaceAll("");
        s = MD_IMAGE.matcher(s).replaceAll("$1");
        s = MD_LINK.matcher(s).replaceAll("$1");
        s = MD_RULE.matcher(s).replaceAll("");
        s = MD_HEADING.matcher(s).replaceAll("");
        s = MD_QUOTE_OR_BULLET.matcher(s).replaceAll("");
        return MD_EMPHASIS.matcher(s).replaceAll("$2");
    }

    private String tika(String contentType, byte[] bytes, int maxChars) throws Refusal {
        BodyContentHandler handler = new BodyContentHandler(maxChars);
        Metadata metadata = new Metadata();
        metadata.set(Metadata.CONTENT_TYPE, contentType); // the producer's declaration guides detection
        metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, "document");
        try {
            parsers.get(contentType).parse(new ByteArrayInputStream(bytes), handler, metadata, new ParseContext());
        } catch (SAXException e) {
            if (WriteLimitReachedException.isWriteLimitReached(e)) {
                throw new Refusal(io.ragline.core.event.DlqReason.TEXT_TOO_LARGE,
                        "the text extracted from 'content' exceeds " + maxChars + " characters");
            }
            throw failed(contentType, e);
        } catch (IOException | TikaException | RuntimeException e) {
            throw failed(contentType, e);
        }
        return handler.toString();
    }

    private static Refusal failed(String contentType, Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new Refusal(io.ragline.core.event.DlqReason.EXTRACTION_FAILED,
                "could not extract text from " + contentType + ": " + message);
    }
}
