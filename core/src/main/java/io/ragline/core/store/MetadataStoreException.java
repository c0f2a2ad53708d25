package io.ragline.core.store;

/** The metadata database failed; the message says what the store was doing. */
public class MetadataStoreException extends RuntimeException {
    public MetadataStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
