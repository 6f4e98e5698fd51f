"""The page in a real headless Chromium: chat with a streamed, cited answer, two role-play
turns, the debrief, and a screenshot (``docs/web.png``).

It starts ``coach serve`` as a subprocess on a free loopback port and drives Debian's
``chromium`` through its ``chromium-driver`` with Selenium; no tool downloads a browser of
its own. Skipped only when those packages are not installed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "docs" / "web.png"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
WAIT = {"fake": 60, "local": 300}  # seconds for one answer

selenium = pytest.importorskip("selenium", reason="selenium is not installed (dev extra)")
if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    pytest.skip(
        "Debian's chromium and chromium-driver are not installed "
        "(apt-get install -y chromium chromium-driver)",
        allow_module_level=True,
    )

from selenium import webdriver  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


@pytest.fixture(
    params=["fake", pytest.param("local", marks=pytest.mark.integration)],
)
def provider(request: pytest.FixtureRequest) -> str:
    """The page on the fake provider, and on the embedded model as a person would use it."""
    return str(request.param)


@pytest.fixture
def server(coach_home: Path, provider: str) -> Iterator[str]:
    # The same start and stop as the load test: a real `coach serve` on a free loopback port.
    from test_web_load import start_server

    from coach.evaluation.bench_web import stop_process

    process, url = start_server(coach_home, provider)
    try:
        yield url + "/"
    finally:
        stop_process(process)


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[webdriver.Chrome]:
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must not fetch anything
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--window-size=1100,1500",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def count(driver: webdriver.Chrome, css: str) -> int:
    return len(driver.find_elements(By.CSS_SELECTOR, css))


def test_chat_roleplay_and_debrief_in_a_browser(
    server: str, browser: webdriver.Chrome, provider: str
) -> None:
    wait = WebDriverWait(browser, WAIT[provider])
    browser.get(server)
    assert browser.title.startswith("coach")

    # Chat: Enter sends; the answer streams in and carries a citation that opens.
    box = wait.until(ec.element_to_be_clickable((By.ID, "chat-input")))
    box.send_keys("What should I counter with?", Keys.ENTER)
    wait.until(lambda d: count(d, "#chat-log .msg.coach .citations details") > 0)
    answer = browser.find_element(By.CSS_SELECTOR, "#chat-log .msg.coach .text").text
    assert "$" in answer, answer
    citation = browser.find_element(By.CSS_SELECTOR, "#chat-log .citations details")
    citation.find_element(By.TAG_NAME, "summary").click()
    quote = citation.find_element(By.TAG_NAME, "blockquote")
    assert quote.is_displayed() and quote.text.strip()

    # Role-play: start, two turns, a hint, then the debrief.
    browser.find_element(By.CSS_SELECTOR, '.tabs button[data-view="roleplay"]').click()
    wait.until(lambda d: len(Select(d.find_element(By.ID, "roleplay-region")).options) > 0)
    Select(browser.find_element(By.ID, "roleplay-region")).select_by_visible_text("Sunnyvale")
    browser.find_element(By.CSS_SELECTOR, "#roleplay-start button[type=submit]").click()
    wait.until(lambda d: count(d, "#roleplay-log .msg.recruiter") == 1)
    for turn, line in enumerate(
        [
            "I was thinking maybe 240k?",
            "I have another offer. Can you do 275k?",
        ],
        start=2,
    ):
        reply = wait.until(ec.element_to_be_clickable((By.ID, "roleplay-input")))
        reply.send_keys(line, Keys.ENTER)
        wait.until(lambda d, n=turn: count(d, "#roleplay-log .msg.recruiter") == n)
    assert count(browser, "#roleplay-log .msg.you") == 2
    # A low opening with no reason gets a coach's note before the recruiter answers.
    notes = browser.find_elements(By.CSS_SELECTOR, "#roleplay-log .msg.feedback")
    assert notes and "below your target" in notes[0].text, [n.text for n in notes]
    assert "On the table" in browser.find_element(By.ID, "roleplay-log").text
    browser.find_element(By.ID, "roleplay-hint").click()
    wait.until(lambda d: count(d, "#roleplay-log .msg.hint") == 1)
    browser.find_element(By.ID, "roleplay-end").click()
    debrief = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#debrief h3")))
    assert debrief.text.startswith("Debrief")
    assert count(browser, "#debrief .criteria li") >= 3
    assert "could have gone to" in browser.find_element(By.ID, "debrief").text
    assert not browser.find_elements(By.CSS_SELECTOR, "#roleplay-log .error")

    # The whole role-play, from the page's header down to the debrief, in one picture (the
    # embedded model's run, which comes second, is the one the README shows).
    browser.set_window_size(1100, 2400)
    browser.execute_script("window.scrollTo(0, 0)")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    browser.save_screenshot(str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000


def test_page_fits_a_phone(server: str, browser: webdriver.Chrome, provider: str) -> None:
    if provider != "fake":
        pytest.skip("the layout does not depend on the model")
    browser.set_window_size(390, 844)
    browser.get(server)
    WebDriverWait(browser, WAIT[provider]).until(ec.element_to_be_clickable((By.ID, "chat-input")))
    width = browser.execute_script("return document.documentElement.scrollWidth")
    viewport = browser.execute_script("return window.innerWidth")
    assert width <= viewport, (width, viewport)
    # Keyboard: the tabs and the question box are reachable and labelled.
    labels = browser.execute_script(
        "return [...document.querySelectorAll('input,select,textarea')]"
        ".filter(e => !e.labels || !e.labels.length).map(e => e.id)"
    )
    assert labels == []
