package io.benchline.common.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A request field of free text that may span lines (a note): {@link StrictJson} lets line breaks and tabs through
 * in it. Every other string field of a request is one line without control characters ({@link Text}). On a list
 * of strings it applies to the elements.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
public @interface MultiLine {
}
