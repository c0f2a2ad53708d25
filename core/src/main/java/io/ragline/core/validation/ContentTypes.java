package io.ragline.core.validation;

import java.util.Map;

/** The formats {@code ragline.document.v1} accepts, and whether each arrives as base64 {@code content}. */
public final class ContentTypes {
    public static final String PLAIN = "text/plain";
    public static final String MARKDOWN = "text/markdown";
    public static final String HTML = "text/html";
    public static final String PDF = "application/pdf";
    public static final String DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    public static final Map<String, Boolean> TYPES = Map.of(PLAIN, false, MARKDOWN, false, HTML, false, PDF, true, DOCX, true);

    private ContentTypes() {
    }

    /** True when the format arrives as bytes (base64 {@code content}) rather than as {@code text}. */
    public static boolean binary(String contentType) {
        return TYPES.getOrDefault(contentType, false);
    }
}
