package io.benchline.stack;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class StackOptionsTest {

    @Test
    void servicesStopAtC1UnlessTheFullJitIsAskedFor() {
        StackOptions options = StackOptions.defaults(Path.of("unused"));
        assertThat(options.fullJit()).isFalse();
        assertThat(LocalStack.serviceJvm(options)).contains("-XX:TieredStopAtLevel=1", "-Xmx256m");
        assertThat(LocalStack.serviceJvm(options.withFullJit(true))).doesNotContain("-XX:TieredStopAtLevel=1")
                .contains("-Xmx256m");
        // Every other option survives the copy.
        assertThat(options.withFullJit(true).withFullJit(false)).isEqualTo(options);
        assertThat(options.withFullJit(true).withRestarts(RestartPolicy.defaults()).fullJit()).isTrue();
        assertThat(options.withFullJit(true).withExtraEnv(java.util.Map.of()).fullJit()).isTrue();
    }
}
