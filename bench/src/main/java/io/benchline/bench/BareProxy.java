package io.benchline.bench;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.httpproxy.HttpProxy;

/**
 * The gateway's baseline: Vert.x's HTTP reverse proxy and nothing else (no Quarkus, no router, no interceptors), in
 * a JVM of its own with the gateway's flags, proxying every request to one upstream.
 * {@code BareProxy <port> <upstream port> <event loops>}; prints "ready" once it listens.
 */
public final class BareProxy {
    private BareProxy() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int upstream = Integer.parseInt(args[1]);
        int loops = Integer.parseInt(args[2]);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
        // One server instance per event loop, as Quarkus deploys its HTTP server.
        vertx.deployVerticle(() -> new AbstractVerticle() {
            @Override
            public void start(Promise<Void> started) {
                HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                        new PoolOptions().setHttp1MaxSize(128));
                HttpProxy proxy = HttpProxy.reverseProxy(client).origin(upstream, "127.0.0.1");
                vertx.createHttpServer(new HttpServerOptions()).requestHandler(proxy).listen(port, "127.0.0.1")
                        .<Void>mapEmpty().onComplete(started);
            }
        }, new DeploymentOptions().setInstances(loops)).toCompletionStage().toCompletableFuture().get();
        System.out.println("ready");
    }
}
