package io.ragline.devstack.cli;

import io.ragline.devstack.DevApiKey;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a CLI command finds its API key: the option, RAGLINE_API_KEY, or the embedded platform's file. */
final class ApiKeyOptions {
    @Option(names = "--api-key", description = "API key (default: RAGLINE_API_KEY, else <data dir>/dev-api-key).")
    String apiKey;

    @Option(names = "--data-dir", defaultValue = "${env:RAGLINE_DATA_DIR:-./data}", hidden = true)
    Path dataDir;

    /** The key to send, or an error that says how to provide one. */
    String require() {
        String key = DevApiKey.forCli(apiKey, dataDir);
        if (key == null) {
            throw new IllegalArgumentException("no API key: pass --api-key, set RAGLINE_API_KEY, or run from the directory "
                    + "of `./ragline up` (it writes data/dev-api-key)");
        }
        return key;
    }
}
