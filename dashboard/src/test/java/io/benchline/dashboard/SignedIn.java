package io.benchline.dashboard;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** A browser's sign-in as the tests make it: the session cookie and the CSRF token its pages carry. */
record SignedIn(String cookie, String csrf) {
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    /** Signs in through the form (nonce cookie and token first), as a browser does. */
    static SignedIn signIn(String key) {
        Response form = RestAssured.given().get("/sign-in");
        Response answer = RestAssured.given().redirects().follow(false)
                .cookie("bl_sign_in", form.cookie("bl_sign_in"))
                .formParam("csrf", csrf(form.body().asString())).formParam("api_key", key).post("/sign-in");
        assertThat(answer.statusCode()).isEqualTo(303);
        String cookie = answer.cookie("bl_session");
        String procedures = RestAssured.given().cookie("bl_session", cookie).get("/procedures").body().asString();
        assertThat(procedures).contains("voltage-check");
        return new SignedIn(cookie, csrf(procedures));
    }

    /** A page that must answer 200; its HTML. */
    String page(String path) {
        Response answer = RestAssured.given().redirects().follow(false).cookie("bl_session", cookie).get(path);
        assertThat(answer.statusCode()).as(path).isEqualTo(200);
        return answer.body().asString();
    }

    /** A form post with this session's CSRF token; redirects are not followed. */
    Response post(String path, Map<String, String> form) {
        RequestSpecification request = RestAssured.given().redirects().follow(false).cookie("bl_session", cookie)
                .formParam("csrf", csrf);
        form.forEach(request::formParam);
        return request.post(path);
    }

    static String csrf(String html) {
        Matcher m = CSRF.matcher(html);
        assertThat(m.find()).as("a CSRF field").isTrue();
        return m.group(1);
    }
}
