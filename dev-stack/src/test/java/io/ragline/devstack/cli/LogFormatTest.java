package io.ragline.devstack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LogFormatTest {
    @Test
    void textUnlessJsonIsAsked() {
        assertThat(LogFormat.fromEnv(Map.of())).isEqualTo(LogFormat.text);
        assertThat(LogFormat.fromEnv(Map.of("RAGLINE_LOG_FORMAT", ""))).isEqualTo(LogFormat.text);
        assertThat(LogFormat.fromEnv(Map.of("RAGLINE_LOG_FORMAT", "text"))).isEqualTo(LogFormat.text);
        assertThat(LogFormat.fromEnv(Map.of("RAGLINE_LOG_FORMAT", "json"))).isEqualTo(LogFormat.json);
    }

    @Test
    void anyOtherValueIsAnErrorThatNamesTheVariable() {
        // logback.xml includes logback-format-<value>.xml as written: what it would not find is refused
        for (String wrong : new String[] {"JSON", "logfmt", " json"}) {
            assertThatThrownBy(() -> LogFormat.fromEnv(Map.of("RAGLINE_LOG_FORMAT", wrong)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("RAGLINE_LOG_FORMAT must be text or json, was '" + wrong + "'");
        }
    }

    @Test
    void everyFormatHasItsLogbackFile() {
        for (LogFormat format : LogFormat.values()) {
            assertThat(LogFormat.class.getResource("/logback-format-" + format + ".xml")).as(format.name()).isNotNull();
        }
    }
}
