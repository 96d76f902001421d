package io.benchline.repositories;

import io.benchline.repositories.CloneUrlPolicy.Refusal;
import io.benchline.repositories.CloneUrlPolicy.Rule;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CloneUrlPolicyTest {
    private static final CloneUrlPolicy DEFAULTS = CloneUrlPolicy.defaults();
    private static final CloneUrlPolicy LOCAL = new CloneUrlPolicy(List.of("https", "ssh"), true, true, List.of());

    private static Rule rule(CloneUrlPolicy policy, String url) {
        return policy.check(url).map(Refusal::rule).orElse(null);
    }

    /** A resolver that knows a few names, as DNS would answer them. */
    private static final CloneUrlPolicy.Resolver DNS = host -> {
        Map<String, String> names = Map.of(
                "github.com", "140.82.121.3",
                "rebind.example.com", "127.0.0.1",
                "metadata.example.com", "169.254.169.254",
                "corp.example.com", "10.1.2.3",
                "v6.example.com", "fd00::1",
                "mixed.example.com", "140.82.121.4");
        String address = names.get(host);
        if (address == null) {
            throw new UnknownHostException(host);
        }
        return host.equals("mixed.example.com")
                ? new InetAddress[] {InetAddress.getByName(address), InetAddress.getByName("192.168.1.1")}
                : new InetAddress[] {InetAddress.getByName(address)};
    };

    @Test
    void defaultsAcceptHttpsAndSshToPublicHosts() {
        for (String url : List.of("https://github.com/acme/rig.git", "ssh://git@github.com/acme/rig.git",
                "ssh://git@github.com:22/acme/rig.git", "git@github.com:acme/rig.git", "github.com:acme/rig.git",
                "https://gitlab.example.com:8443/group/sub/rig", "https://140.82.121.3/acme/rig.git",
                "https://[2606:4700::6810:84e5]/acme/rig.git", "HTTPS://GitHub.com./acme/rig")) {
            assertThat(DEFAULTS.check(url)).as(url).isEmpty();
        }
    }

    @Test
    void defaultsRefuseOtherSchemesAndFileUrls() {
        assertThat(rule(DEFAULTS, "http://github.com/acme/rig.git")).isEqualTo(Rule.SCHEME_NOT_ALLOWED);
        assertThat(rule(DEFAULTS, "git://github.com/acme/rig.git")).isEqualTo(Rule.SCHEME_NOT_ALLOWED);
        assertThat(rule(DEFAULTS, "ftp://github.com/acme/rig.git")).isEqualTo(Rule.SCHEME_NOT_ALLOWED);
        assertThat(rule(DEFAULTS, "file:///srv/git/rig.git")).isEqualTo(Rule.FILE_NOT_ALLOWED);
        assertThat(rule(DEFAULTS, "/srv/git/rig.git")).isEqualTo(Rule.FILE_NOT_ALLOWED);
        assertThat(DEFAULTS.check("file:///etc").orElseThrow().message())
                .contains("benchline.repositories.allow-file=true");
        assertThat(DEFAULTS.check("http://github.com/a/b").orElseThrow().message())
                .contains("'http'").contains("benchline.repositories.allowed-schemes");
    }

    @Test
    void credentialsInTheUrlAreRefusedAndPointAtTheCredentialsField() {
        for (String url : List.of("https://user:ghp_secret@github.com/acme/rig.git",
                "https://ghp_secret@github.com/acme/rig.git", "ssh://git:password@github.com/acme/rig.git")) {
            Refusal refusal = LOCAL.check(url).orElseThrow();
            assertThat(refusal.rule()).as(url).isEqualTo(Rule.CREDENTIALS_IN_URL);
            assertThat(refusal.message()).contains("repository.credentials").doesNotContain("secret")
                    .doesNotContain("password");
        }
        assertThat(rule(DEFAULTS, "ssh://deploy@github.com/acme/rig.git")).as("ssh's login user").isNull();
        assertThat(rule(DEFAULTS, "https://github.com/acme/rig.git?private_token=x")).isEqualTo(Rule.MALFORMED);
    }

    @Test
    void privateLoopbackLinkLocalAndInternalHostsNeedTheSwitch() {
        for (String url : List.of("https://127.0.0.1/a/b", "https://10.0.0.8/a/b", "https://172.16.5.4/a/b",
                "https://192.168.1.10/a/b", "https://169.254.169.254/latest/meta-data", "https://100.64.0.1/a/b",
                "https://0.0.0.0/a/b", "https://[::1]/a/b", "https://[fd12:3456::1]/a/b", "https://[fe80::1]/a/b",
                "https://[::ffff:127.0.0.1]/a/b", "https://[::ffff:a9fe:a9fe]/a/b", "https://[64:ff9b::a00:1]/a/b",
                "https://[2002:c0a8:101::1]/a/b", "https://localhost/a/b", "https://LOCALHOST./a/b",
                "https://git.localhost/a/b", "https://gitlab/a/b", "https://printer.local/a/b",
                "https://metadata.google.internal/computeMetadata", "git@localhost:a/b.git",
                "ssh://git@10.1.1.1/a/b")) {
            assertThat(rule(DEFAULTS, url)).as(url).isEqualTo(Rule.PRIVATE_HOST);
            assertThat(LOCAL.check(url)).as("%s with allow-private-hosts", url).isEmpty();
        }
        assertThat(DEFAULTS.check("https://169.254.169.254/x").orElseThrow().message())
                .contains("link-local").contains("benchline.repositories.allow-private-hosts=true");
    }

    @Test
    void numericHostsThatResolversReadDifferentlyAreRefused() {
        for (String url : List.of("https://2130706433/a/b", "https://0x7f.1/a/b", "https://127.1/a/b",
                "https://0177.0.0.1/a/b", "https://256.1.1.1/a/b", "https://[fe80::1%25eth0]/a/b")) {
            assertThat(rule(LOCAL, url)).as(url).isEqualTo(Rule.MALFORMED);
        }
    }

    @Test
    void malformedUrlsAreRefused() {
        for (String url : List.of("", "not a url", "https://", "https:///a/b", "https://github.com",
                "file://host/srv/rig", "relative/path", "ssh://git@github.com:acme/rig.git", "https://exa_mple.com/a")) {
            assertThat(rule(LOCAL, url)).as(url).isEqualTo(Rule.MALFORMED);
        }
        assertThat(LOCAL.check("file:///srv/git/rig.git")).isEmpty();
        assertThat(LOCAL.check("/srv/git/rig.git")).isEmpty();
    }

    @Test
    void afterResolutionEveryAddressMustBePublic() {
        assertThat(DEFAULTS.checkResolved("https://github.com/acme/rig.git", DNS)).isEmpty();
        for (String host : List.of("rebind.example.com", "metadata.example.com", "corp.example.com", "v6.example.com",
                "mixed.example.com")) {
            Optional<Refusal> refusal = DEFAULTS.checkResolved("https://" + host + "/a/b", DNS);
            assertThat(refusal).as(host).isPresent();
            assertThat(refusal.get().rule()).isEqualTo(Rule.PRIVATE_HOST);
            assertThat(LOCAL.checkResolved("https://" + host + "/a/b", DNS)).as(host).isEmpty();
        }
        assertThat(DEFAULTS.checkResolved("https://nowhere.example.com/a/b", DNS).orElseThrow().rule())
                .isEqualTo(Rule.UNRESOLVABLE_HOST);
        assertThat(DEFAULTS.checkResolved("file:///etc", DNS).orElseThrow().rule()).isEqualTo(Rule.FILE_NOT_ALLOWED);
        assertThat(LOCAL.checkResolved("file:///srv/rig", host -> {
            throw new AssertionError("a file URL resolves nothing");
        })).isEmpty();
    }

    @Test
    void everyConnectionIsCheckedToo() {
        assertThat(DEFAULTS.checkConnection("https", "github.com", DNS)).isEmpty();
        assertThat(DEFAULTS.checkConnection("http", "github.com", DNS).orElseThrow().rule())
                .isEqualTo(Rule.SCHEME_NOT_ALLOWED);
        assertThat(DEFAULTS.checkConnection("https", "metadata.example.com", DNS).orElseThrow().rule())
                .isEqualTo(Rule.PRIVATE_HOST);
        assertThat(DEFAULTS.checkConnection("https", "169.254.169.254", DNS).orElseThrow().rule())
                .isEqualTo(Rule.PRIVATE_HOST);
    }

    @Test
    void allowedHostsNarrowWhereClonesGo() {
        CloneUrlPolicy narrow = new CloneUrlPolicy(List.of("https"), false, false, List.of("github.com",
                "*.gitlab.example.com"));
        assertThat(narrow.check("https://github.com/a/b")).isEmpty();
        assertThat(narrow.check("https://ci.gitlab.example.com/a/b")).isEmpty();
        assertThat(rule(narrow, "https://gitlab.example.com/a/b")).isEqualTo(Rule.HOST_NOT_ALLOWED);
        assertThat(rule(narrow, "https://evil.com/github.com")).isEqualTo(Rule.HOST_NOT_ALLOWED);
    }

    @Test
    void aSchemeListWithFileOrAnUnknownSchemeIsAConfigurationError() {
        assertThatThrownBy(() -> new CloneUrlPolicy(List.of("https", "file"), false, false, List.of()))
                .hasMessageContaining("allow-file");
        assertThatThrownBy(() -> new CloneUrlPolicy(List.of("sftp"), false, false, List.of()))
                .hasMessageContaining("'sftp'");
    }

    @Test
    void parsesAsGitDoes() {
        assertThat(CloneUrlPolicy.parse("git@github.com:acme/rig.git"))
                .isEqualTo(new CloneUrlPolicy.Target("ssh", "github.com", "git", false, false, true));
        assertThat(CloneUrlPolicy.parse("https://GitHub.com/a/b").host()).isEqualTo("github.com");
        assertThat(CloneUrlPolicy.parse("https://[::1]:8443/a/b").host()).isEqualTo("::1");
        assertThat(CloneUrlPolicy.parse("/srv/rig").isFile()).isTrue();
        assertThat(CloneUrlPolicy.redact("https://user:secret@github.com/a/b.git"))
                .isEqualTo("https://***@github.com/a/b.git");
        assertThat(CloneUrlPolicy.redact("https://ghp_token@github.com/a/b.git")).isEqualTo("https://***@github.com/a/b.git");
        assertThat(CloneUrlPolicy.redact("ssh://git@github.com/a/b.git")).isEqualTo("ssh://git@github.com/a/b.git");
        assertThat(CloneUrlPolicy.redact("ssh://git:pw@github.com/a/b.git")).isEqualTo("ssh://git:***@github.com/a/b.git");
        assertThat(CloneUrlPolicy.redact("git@github.com:a/b.git")).isEqualTo("git@github.com:a/b.git");
    }
}
