package io.benchline.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Keeps the proxy from closing an upstream connection that another request is already using.
 *
 * <p>Vert.x's proxy resets the upstream request when sending the answer to the client fails (the client hung up
 * while its answer was still being written). Vert.x closes the connection of a reset exchange even when the answer
 * has already arrived in full: the connection has then gone back to the pool as soon as the last byte came in (the
 * proxy's paused copy of the answer was still being handed on), and the pool may have put the next request on it,
 * which failed with a 502 ({@code GatewayTest.clientsThatHangUpEarlyCostNoOtherRequestItsUpstream}; about one request
 * in 2,000 of the e2e fuzz, whose client hangs up after each answer).
 *
 * <p>So a reset of an exchange whose request was sent in full and whose answer has begun is not passed on at once:
 * the rest of the answer is read and dropped. An answer that was already all there ends within that, and its
 * connection stays usable; one that still streams after {@link #DRAIN_BYTES} or {@link #DRAIN_MILLIS} was not
 * complete, so its connection is still its own, and the reset goes through (closing it, as it must). Any other reset
 * passes untouched. A wrapper because vertx-http-proxy 4.5 offers no hook for it; {@link HttpClientRequest} is an
 * interface, so a dynamic proxy does without copying its 70 methods.
 */
final class ResetGuard implements InvocationHandler {
    static final long DRAIN_BYTES = 1024 * 1024;
    static final long DRAIN_MILLIS = 1000;

    private final Vertx vertx;
    private final HttpClientRequest request;
    private volatile boolean requestEnded;
    private volatile boolean answerEnded;
    private volatile HttpClientResponse answer;
    private boolean draining;

    private ResetGuard(Vertx vertx, HttpClientRequest request) {
        this.vertx = vertx;
        this.request = request;
        request.response().onSuccess(response -> {
            answer = response;
            response.end().onSuccess(v -> answerEnded = true);
        });
    }

    static HttpClientRequest guard(Vertx vertx, HttpClientRequest request) {
        return (HttpClientRequest) Proxy.newProxyInstance(HttpClientRequest.class.getClassLoader(),
                new Class<?>[] {HttpClientRequest.class}, new ResetGuard(vertx, request));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (name.equals("reset")) {
            if (answerEnded && requestEnded) {
                return false;
            }
            HttpClientResponse response = answer;
            if (requestEnded && response != null) {
                return drain(response, method, args);
            }
        }
        if (name.equals("end")) {
            requestEnded = true;
        }
        return call(method, args, proxy);
    }

    private boolean drain(HttpClientResponse response, Method reset, Object[] args) {
        if (draining) {
            return false;
        }
        draining = true;
        long[] read = {0};
        long timer = vertx.setTimer(DRAIN_MILLIS, id -> resetUnlessEnded(reset, args));
        response.exceptionHandler(e -> { });
        response.endHandler(v -> vertx.cancelTimer(timer));
        response.handler(chunk -> {
            read[0] += chunk.length();
            if (read[0] > DRAIN_BYTES) {
                vertx.cancelTimer(timer);
                resetUnlessEnded(reset, args);
            }
        });
        response.resume();
        return true;
    }

    private void resetUnlessEnded(Method reset, Object[] args) {
        if (!answerEnded) {
            try {
                call(reset, args, null);
            } catch (Throwable e) {
                // the connection is going anyway
            }
        }
    }

    private Object call(Method method, Object[] args, Object proxy) throws Throwable {
        Object result;
        try {
            result = method.invoke(request, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        return result == request && proxy != null ? proxy : result; // fluent calls keep going through the guard
    }
}
