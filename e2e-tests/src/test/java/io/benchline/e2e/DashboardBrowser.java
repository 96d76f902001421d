package io.benchline.e2e;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

/**
 * Debian's headless Chromium driven through its chromedriver (packages {@code chromium} and {@code chromium-driver},
 * which {@code .ci/run} installs), with a fresh profile and no background networking (this machine's network is
 * closed), on the dashboard at the stack's public base URL. Screenshots go to {@code screenshots}.
 */
final class DashboardBrowser implements AutoCloseable {
    static final Path CHROMIUM = Path.of(System.getProperty("benchline.e2e.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("benchline.e2e.chromedriver", "/usr/bin/chromedriver"));
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The browser's time zone: not UTC, so that a page's local times can be told from the UTC ones. */
    static final String TIME_ZONE = "Asia/Kolkata";

    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final String base;
    private final Path screenshots;

    private DashboardBrowser(ChromeDriverService service, ChromeDriver driver, String base, Path screenshots) {
        this.service = service;
        this.driver = driver;
        this.base = base;
        this.screenshots = screenshots;
    }

    static DashboardBrowser start(String base, Path work, Path screenshots) throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("the browser test needs " + CHROMIUM + " and " + CHROMEDRIVER
                    + ": apt-get install -y chromium chromium-driver (.ci/run does)");
        }
        Files.createDirectories(screenshots);
        Path profile = Files.createDirectories(work.resolve("chromium-profile"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .withLogFile(work.resolve("chromedriver.log").toFile())
                .withEnvironment(java.util.Map.of("TZ", TIME_ZONE)).build();
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1280,900",
                "--lang=en-US");
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        driver.manage().window().setSize(new Dimension(1280, 900));
        return new DashboardBrowser(service, driver, base, screenshots);
    }

    /** Opens a path of the dashboard (through the gateway). */
    void open(String path) {
        driver.get(base + path);
    }

    String path() {
        return java.net.URI.create(driver.getCurrentUrl()).getPath();
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** The element once it is on the page (a live part may bring it). */
    WebElement await(String what, String css) throws InterruptedException {
        return Await.until(what, WAIT, () -> {
            List<WebElement> found = all(css);
            return found.isEmpty() ? null : found.get(0);
        }, () -> "page " + driver.getCurrentUrl() + ": " + text("main"));
    }

    /** Waits until the text of the first element matching {@code css} contains {@code expected}. */
    void awaitText(String what, String css, String expected) throws InterruptedException {
        Await.until(what, WAIT, () -> {
            List<WebElement> found = all(css);
            return !found.isEmpty() && found.get(0).getText().contains(expected) ? true : null;
        }, () -> "page " + driver.getCurrentUrl() + ": " + text("main"));
    }

    String text(String css) {
        List<WebElement> found = all(css);
        return found.isEmpty() ? "" : found.get(0).getText();
    }

    void type(String css, String value) {
        WebElement field = find(css);
        field.clear();
        field.sendKeys(value);
    }

    /** Clicks the element; found again if a live part replaced it between finding and clicking. */
    void click(String css) {
        for (int attempt = 1; ; attempt++) {
            try {
                find(css).click();
                return;
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /** Submits the form of the element (a button inside it), accepting its confirmation dialog if it asks. */
    void submitConfirmed(String buttonCss) {
        // window.confirm would block the driver: answer it yes, as the user clicking OK.
        script("window.confirm = function () { return true; };");
        click(buttonCss);
    }

    Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** A screenshot of the whole window, as {@code screenshots/<name>.png}. */
    Path screenshot(String name) throws Exception {
        File shot = driver.getScreenshotAs(OutputType.FILE);
        Path to = screenshots.resolve(name + ".png");
        Files.copy(shot.toPath(), to, StandardCopyOption.REPLACE_EXISTING);
        return to;
    }

    /** The page as it is now, for a failed test: {@code screenshots/<name>.png} and {@code <name>.html}. */
    void dump(String name) {
        try {
            screenshot(name);
            Files.writeString(screenshots.resolve(name + ".html"), driver.getCurrentUrl() + "\n"
                    + driver.getPageSource());
        } catch (Exception e) {
            System.out.println("dashboard: no dump of the page: " + e);
        }
    }

    /**
     * Moves the keyboard focus with Tab, as a keyboard user does, until the element matching {@code css} has it;
     * fails after {@code maxTabs} presses.
     */
    void tabTo(String css, int maxTabs) {
        for (int i = 0; i < maxTabs; i++) {
            if (Boolean.TRUE.equals(script("return document.activeElement !== null"
                    + " && document.activeElement.matches(arguments[0])", css))) {
                return;
            }
            new org.openqa.selenium.interactions.Actions(driver).sendKeys(org.openqa.selenium.Keys.TAB).perform();
        }
        throw new AssertionError(css + " got no keyboard focus in " + maxTabs + " Tab presses on " + path()
                + " (focus on " + script("return document.activeElement && document.activeElement.outerHTML") + ")");
    }

    /** Keys typed into whatever has the focus. */
    void keys(CharSequence... keys) {
        new org.openqa.selenium.interactions.Actions(driver).sendKeys(keys).perform();
    }

    /** How much wider than the window the page is, in CSS pixels (0: no sideways scrolling). */
    long overflowWidth() {
        return ((Number) script("return Math.max(0, document.documentElement.scrollWidth"
                + " - document.documentElement.clientWidth)")).longValue();
    }

    /** Resizes the window, e.g. to a phone's width. */
    void size(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }
}
