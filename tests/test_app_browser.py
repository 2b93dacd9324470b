"""The app in a real browser: headless Chromium (Debian ``chromium``) driven by playwright's Python API.

Asks questions, opens a citation, pins and downloads a briefing, votes, checks that typed HTML stays
text, and saves screenshots at 1280 px and 390 px (the directory is printed; set
QIAOXI_SCREENSHOT_DIR to keep them somewhere). Never runs ``playwright install``: it uses
/usr/bin/chromium, and skips only when that is absent.
"""
from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

try:
    from tests.test_app import HOST, RunningApp, running_app
except ImportError:  # tests/ on sys.path as a plain directory
    from test_app import HOST, RunningApp, running_app

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run",
        "--disable-component-update", "--disable-sync"]
KIDS_Q = "到2025年普惠性幼儿园覆盖率要达到多少？"
XSS_Q = "<img src=x onerror=alert(1)><script>alert(2)</script>地铁3号线？"
TEMPLATE_Q = "${alert(3)} {{constructor.constructor('alert(4)')()}} 幼儿园"  # gr.HTML templates must not run it

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (apt-get install chromium)")


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Iterator[RunningApp]:
    with running_app(tmp_path_factory.mktemp("browser-app")) as running:
        yield running


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    path = Path(os.environ.get("QIAOXI_SCREENSHOT_DIR") or tmp_path_factory.mktemp("screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One persistent Chromium profile in a temp dir; every request off loopback is blocked and recorded."""
    from playwright.sync_api import sync_playwright

    home = tmp_path_factory.mktemp("chromium-home")  # Chromium's home, config and cache: never the user's
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
           "XDG_CACHE_HOME": str(home / ".cache"), "TMPDIR": str(tmp_path_factory.mktemp("chromium-tmp"))}
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True,
            args=ARGS, locale="zh-CN", accept_downloads=True, viewport={"width": 1280, "height": 900},
            downloads_path=str(tmp_path_factory.mktemp("chromium-downloads")), env=env)
        ctx.external_requests = []

        def guard(route):
            if urlparse(route.request.url).hostname in (HOST, "localhost") or route.request.url.startswith("data:"):
                return route.continue_()
            ctx.external_requests.append(route.request.url)
            return route.abort()

        ctx.route("**/*", guard)
        try:
            yield ctx
        finally:
            ctx.close()


def open_tab(page, name: str) -> None:
    """Click a panel tab; on a narrow screen Gradio folds tabs that do not fit into a 「More tabs」 menu."""
    tab = page.get_by_role("tab", name=name)
    if tab.count() and tab.first.is_visible():
        tab.first.click()
        return
    page.get_by_role("button", name="More tabs").click()
    page.locator(".overflow-dropdown").get_by_text(name, exact=True).first.click()


def open_page(browser, app: RunningApp, width: int, height: int):
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(app.url)
    page.wait_for_selector("#qx-input textarea", timeout=60_000)
    return page


def ask(page, question: str, done_selector: str) -> None:
    before = page.locator("#qx-chat .qx-answer:not(.qx-pending)").count()
    page.fill("#qx-input textarea", question)
    page.press("#qx-input textarea", "Enter")
    page.wait_for_function(
        f"() => document.querySelectorAll('#qx-chat .qx-answer:not(.qx-pending)').length > {before}", timeout=60_000)
    page.locator(done_selector).last.wait_for(timeout=10_000)
    page.wait_for_timeout(400)  # let the bubble settle before a screenshot


def shot(page, shots: Path, name: str, full_page: bool = True) -> Path:
    path = shots / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 5_000
    return path


WAIT_S = 15.0  # the longest any condition below may take to come true


def wait_for(condition, what: str, timeout_s: float = WAIT_S, poll=lambda: time.sleep(0.1)):
    """Poll ``condition`` until it returns something truthy (returned), failing after ``timeout_s``:
    no fixed sleep that is too short on a busy machine and wasted on an idle one."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")
        poll()


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_desktop_flow(app, browser, shots, capsys):
    page = open_page(browser, app, 1280, 900)
    shot(page, shots, "1280-start")
    assert box(page, "#qx-sources")["x"] > box(page, "#qx-chat")["x"] + 300  # sources beside the chat

    ask(page, KIDS_Q, "#qx-chat a.qx-cite")
    answer = page.locator("#qx-chat .qx-answer").last
    assert "85%" in answer.inner_text()
    assert "第十章" in page.locator("#qx-sources").inner_text()
    assert "85%" in page.locator("#qx-sources mark.qx-hl").first.inner_text()
    shot(page, shots, "1280-answer")

    answer.locator("a.qx-cite").first.click()  # [1] opens the clause in the plan browser
    focus = page.locator("#qx-plan .qx-focus")
    focus.wait_for(timeout=15_000)
    page.wait_for_function("() => document.querySelector('#qx-plan .qx-scroll').scrollTop > 0",
                           timeout=WAIT_S * 1000)  # scrolled to it
    assert "85%" in focus.inner_text() and focus.is_visible()
    shot(page, shots, "1280-plan", full_page=False)

    ask(page, XSS_Q, "#qx-chat .qx-abstain")
    assert page.locator("#qx-chat .qx-q").last.inner_text().startswith("<img src=x onerror=alert(1)><script>")
    assert page.locator("#qx-chat img").count() == 0 and page.dialogs == []
    assert "规划未涉及" in page.locator("#qx-chat .qx-abstain").last.inner_text()
    shot(page, shots, "1280-abstain")
    ask(page, TEMPLATE_Q, "#qx-chat .qx-answer")
    assert page.locator("#qx-chat .qx-q").last.inner_text() == TEMPLATE_Q
    assert page.locator("#qx-sources .qx-src-q").inner_text() == f"问：{TEMPLATE_Q}"

    page.locator("#qx-chat a[href='#qx-pin-0']").click()
    open_tab(page, "简报草稿")
    page.locator("#qx-brief .qx-bi").first.wait_for(timeout=10_000)
    docx_button = page.get_by_role("button", name="下载 Word (.docx)")
    page.wait_for_function("() => [...document.querySelectorAll('button')].some("
                           "b => b.textContent.includes('下载 Word') && !b.disabled)", timeout=10_000)
    with page.expect_download() as dl:
        docx_button.click()
    target = shots / "briefing.docx"
    dl.value.save_as(str(target))
    assert target.stat().st_size > 1_000
    shot(page, shots, "1280-briefing")

    page.locator("#qx-chat button[aria-label='赞']").first.click()
    votes = wait_for(lambda: [json.loads(x) for x in app.feedback_path.read_text(encoding="utf-8").splitlines()]
                     if app.feedback_path.exists() else [], what="the vote in the feedback file")
    assert votes[-1]["vote"] == "up" and votes[-1]["question"] == KIDS_Q
    assert page.dialogs == [] and browser.external_requests == []
    page.close()
    with capsys.disabled():
        print(f"\nscreenshots: {shots}")


def test_phone_flow(app, browser, shots, capsys):
    page = open_page(browser, app, 390, 844)
    shot(page, shots, "390-start")
    ask(page, "家附近会新建幼儿园吗？", "#qx-chat a.qx-cite")
    chat, sources = box(page, "#qx-chat"), box(page, "#qx-sources")
    assert sources["y"] > chat["y"] + chat["height"] - 1  # stacked below the chat
    assert page.evaluate("document.documentElement.scrollWidth") <= 391  # no sideways scrolling
    shot(page, shots, "390-answer")
    page.locator("#qx-chat a.qx-cite").last.click()
    page.locator("#qx-plan .qx-focus").wait_for(timeout=15_000)
    wait_for(lambda: 0 <= box(page, "#qx-plan .qx-focus")["y"] < 844,  # scrolled into view on the phone screen
             what="the focused clause scrolled into view", poll=lambda: page.wait_for_timeout(100))
    shot(page, shots, "390-plan", full_page=False)
    assert page.dialogs == [] and browser.external_requests == []
    page.close()
    with capsys.disabled():
        print(f"\nscreenshots: {shots}")


def test_phone_topic_brief(app, browser, shots, capsys):
    """「专题简报」 at 390 px: the briefing renders in its tab, its table scrolls inside itself, the page
    never sideways, and the downloads become usable."""
    page = open_page(browser, app, 390, 844)
    open_tab(page, "专题简报")
    page.locator("#qx-topic input, #qx-topic textarea").first.fill("养老")
    page.locator("#qx-topic input, #qx-topic textarea").first.press("Enter")
    page.locator("#qx-topic-brief .qx-tb table").wait_for(timeout=60_000)
    page.wait_for_timeout(600)
    assert page.evaluate("document.documentElement.scrollWidth") <= 391  # no sideways scrolling
    assert page.locator("#qx-topic-brief a.qx-cite").count() > 5
    shot(page, shots, "390-topic-brief")
    assert page.dialogs == [] and browser.external_requests == []
    page.close()
    with capsys.disabled():
        print(f"\nscreenshots: {shots}")


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_figures_tab(app, browser, shots, width, height):
    """「数据与指标」 at desktop and phone width: the table filters by topic, a row opens its clause in the
    plan browser, the page never scrolls sideways."""
    page = open_page(browser, app, width, height)
    open_tab(page, "数据与指标")
    topic = page.locator(".qx-fig-filters input, .qx-fig-filters textarea").first
    topic.fill("幼儿园")
    topic.press("Enter")
    page.locator("#qx-figures").get_by_text("普惠性幼儿园覆盖率", exact=True).filter(visible=True).first.wait_for(timeout=30_000)
    page.wait_for_timeout(400)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    shot(page, shots, f"{width}-figures")
    page.locator("#qx-figures").get_by_text("普惠性幼儿园覆盖率", exact=True).filter(visible=True).first.click()
    page.locator("#qx-plan").get_by_text("普惠性幼儿园覆盖率达到85%").first.wait_for(timeout=30_000)
    assert page.dialogs == [] and browser.external_requests == []
    page.close()


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_compare_tab(app, browser, shots, width, height):
    """「对照上位规划」: the national outline's clauses beside the district's in a table that scrolls inside
    itself; a national citation opens its clause in the national plan's text, a district one in the district's."""
    page = open_page(browser, app, width, height)
    open_tab(page, "对照上位规划")
    box_ = page.locator("#qx-compare-topic input, #qx-compare-topic textarea").first
    box_.fill("养老")
    box_.press("Enter")
    page.locator("#qx-compare .qx-cmp table").wait_for(timeout=60_000)
    page.wait_for_timeout(600)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    shot(page, shots, f"{width}-compare")
    national = page.locator('#qx-compare a.qx-cite[href^="#qx-open-national_14th:"]')
    assert national.count() > 0 and page.locator('#qx-compare a.qx-cite[href^="#qx-open-qiaoxi_14th:"]').count() > 0
    target = national.first.get_attribute("href").removeprefix("#qx-open-")
    national.first.click()
    page.locator(f'#qx-plan .qx-focus[data-cid="{target}"]').wait_for(timeout=30_000)
    assert page.dialogs == [] and browser.external_requests == []
    page.close()
