"""Screenshots of the page's main views for the README: chat with citations, a citation opened in its
document, a concept with its neighbours, a path between two concepts, and the English UI.

    python bench/screenshots.py                 # throwaway index of a corpus copy, hash embedder (fast)
    python bench/screenshots.py --real          # `kgqa serve` on the configured index and model
    python bench/screenshots.py --out /tmp/shots

Needs Debian's chromium (/usr/bin/chromium), a CJK font (fonts-wqy-microhei or fonts-noto-cjk; without one the
Chinese text renders as boxes) and the vendored graph library (kgqa/apps/web/build.sh).
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 720}

# the same throwaway server as the load script (create_app serves the page itself)
from load_api import FAKE_SERVER  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def server(real: bool) -> Iterator[str]:
    """A uvicorn server in a child process; yields its base URL once /healthz answers."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="kgqa-shots-") as tmp:
        if real:
            cmd = [sys.executable, "-m", "kgqa.apps.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
        else:
            corpus, indexes = Path(tmp) / "corpus", Path(tmp) / "indexes"
            shutil.copytree(REPO / "corpus", corpus)
            cmd = [sys.executable, "-c", FAKE_SERVER, str(corpus), str(indexes), str(port)]
        proc = subprocess.Popen(cmd, cwd=REPO)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 600
            while True:
                if proc.poll() is not None:
                    raise SystemExit(f"the server exited with code {proc.returncode}; see its output above")
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not answer /healthz within 10 minutes")
                try:
                    if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def has_cjk_font() -> bool:
    try:
        out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:
        return False
    return bool(out.strip())


def shoot(url: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        context.set_default_timeout(30_000)
        page = context.new_page()

        def save(name: str) -> None:
            page.wait_for_timeout(400)  # let cytoscape's fit animation finish
            path = out / f"{name}.png"
            page.screenshot(path=str(path))
            saved.append(path)

        page.goto(f"{url}/?lang=zh")
        page.wait_for_function("Number(document.getElementById('cy').dataset.nodes) > 0")
        page.fill("#question", "什么是多头注意力？")
        page.click("#ask-button")
        page.wait_for_selector("[data-testid=citation]")
        save("chat")

        page.click("[data-testid=citation] >> nth=0")
        page.wait_for_selector("[data-testid=highlight]")
        save("citation")
        page.click("#doc-close")

        page.fill("#concept-search", "多头注意力")
        page.click("[data-testid=search-result] >> nth=0")
        page.wait_for_selector("[data-testid=neighbour]")
        page.click("[data-testid=expand]")
        save("concept")

        page.fill("#path-source", "attention")
        page.fill("#path-target", "softmax")
        page.click("[data-testid=find-path]")
        page.wait_for_selector("[data-testid=hop]")
        save("path")

        page.click("#lang-toggle")
        page.click("#reset-map")
        page.wait_for_function("Number(document.getElementById('cy').dataset.nodes) > 0")
        save("map-en")
        browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--real", action="store_true",
                        help="serve the configured index and model (kgqa serve)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    if not has_cjk_font():
        print("warning: no CJK font found (apt-get install fonts-wqy-microhei); Chinese will render as boxes",
              file=sys.stderr)
    with server(args.real) as url:
        for path in shoot(url, args.out):
            shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
            print(f"{shown}  {path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
