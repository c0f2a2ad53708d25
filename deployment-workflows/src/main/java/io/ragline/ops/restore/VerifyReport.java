package io.ragline.ops.restore;

import java.util.List;
import java.util.Map;

/** What verification found after a restore; {@code mismatches} empty means it matches the manifest. */
public record VerifyReport(List<String> mismatches, Map<String, Long> counts, int probesChecked) {
}
