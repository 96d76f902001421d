package io.benchline.webhooks.app;

/** What became of a delivery; the resource turns it into the HTTP answer. */
public record Receipt(Kind kind, String eventId) {
    public enum Kind {
        /** A push recorded for the first time; its event is in the outbox. */
        ACCEPTED,
        /** The same delivery id was recorded before; nothing new was published. */
        DUPLICATE,
        /** A GitHub ping, answered after its signature was checked. */
        PONG,
        /** A verified delivery of an event Benchline does not act on (create, delete, non-push system hooks). */
        IGNORED
    }

    public static Receipt accepted(String eventId) {
        return new Receipt(Kind.ACCEPTED, eventId);
    }

    public static Receipt of(Kind kind) {
        return new Receipt(kind, null);
    }
}
