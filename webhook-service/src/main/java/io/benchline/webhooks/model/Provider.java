package io.benchline.webhooks.model;

import java.util.Locale;

/** The git hosts whose push webhooks Benchline accepts. */
public enum Provider {
    GITHUB, GITLAB;

    /** The lower-case name used on the wire and in the deliveries table. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
