package io.benchline.common.api;

/** A record that does not exist for the caller: also another organization's (invariant 9). */
public class NotFound extends DomainError {
    public NotFound(String what, String id) {
        super(what + " " + id + " does not exist");
    }

    @Override
    public Category category() {
        return Category.NOT_FOUND;
    }

    @Override
    public String kind() {
        return "not-found";
    }
}
