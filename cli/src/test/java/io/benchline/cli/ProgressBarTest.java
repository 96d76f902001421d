package io.benchline.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** The progress bar on a terminal and elsewhere. */
class ProgressBarTest {
    @Test
    void onATerminalTheBarIsRedrawnInPlaceAndOtherLinesGoAboveIt() {
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(err), true);

        bar.update("uploading", 50, 100, "50 B/100 B");
        bar.println(new PrintWriter(out), "t1 INFO installing");
        bar.update("uploading", 100, 100, "100 B/100 B");
        bar.finish("uploaded 100 B");

        assertThat(err.toString()).startsWith("\ruploading [############------------]  50%  50 B/100 B")
                .as("cleared before the other line, drawn again after it")
                .containsSubsequence("50 B/100 B", "\r          ", "\ruploading [############", "\r")
                .contains("\ruploading [########################] 100%  100 B/100 B")
                .endsWith("   \ruploaded 100 B" + System.lineSeparator());
        assertThat(out.toString()).isEqualTo("t1 INFO installing" + System.lineSeparator());
    }

    @Test
    void elsewhereOnlyTheSummaryLines() {
        StringWriter err = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(err), false);

        bar.update("packing", 1, 2, "1/2 files");
        bar.status("build", "pending, 3 log lines");
        bar.note("skipped link: a symbolic link (not followed)");
        bar.finish("packed 2 files");

        assertThat(err.toString()).isEqualTo("skipped link: a symbolic link (not followed)" + System.lineSeparator()
                + "packed 2 files" + System.lineSeparator());
    }
}
