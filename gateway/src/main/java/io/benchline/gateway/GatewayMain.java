package io.benchline.gateway;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Starts the gateway with Quarkus's own check of the request target off: Quarkus answers a target that
 * {@link java.net.URI} cannot parse (a broken percent escape such as {@code %zz}) with a bare 400 before any route,
 * and the gateway answers every error with problem JSON. {@link GatewayRouter} makes the same check itself.
 */
@QuarkusMain
public final class GatewayMain {
    static final String URI_VALIDATION_OFF = "vertx.disableURIValidation";

    private GatewayMain() {
    }

    public static void main(String... args) {
        // Read once, when Quarkus's HTTP recorder class initializes: it must be set before Quarkus starts.
        System.setProperty(URI_VALIDATION_OFF, System.getProperty(URI_VALIDATION_OFF, "true"));
        Quarkus.run(args);
    }
}
