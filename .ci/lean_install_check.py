"""Run by .ci/run with the python of a clean virtualenv holding `pip install <repo>` and no extras: that install
alone serves the API, the page with its vendored graph library, and /docs with its local Swagger UI, and its
`kgqa` command asks the server. Uses nothing outside the standard library and kgqa's own dependencies.

    python .ci/lean_install_check.py WORKDIR     # WORKDIR: an empty temporary folder
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

STARTUP_SECONDS = 300  # the first start converts the default model and indexes a one-file corpus


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def kgqa(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # the console script of this virtualenv, as a user runs it
    script = Path(sys.executable).with_name("kgqa")
    return subprocess.run([str(script), *args], env=env, capture_output=True, text=True, timeout=300, check=False)


def wait_healthy(url: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"kgqa serve exited with {server.returncode}:\n{server.stderr.read() if server.stderr else ''}")
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    sys.exit(f"kgqa serve did not answer /healthz within {STARTUP_SECONDS} s")


def get_ok(url: str, what: str) -> httpx.Response:
    response = httpx.get(url, timeout=30)
    if response.status_code != 200 or not response.content:
        sys.exit(f"{what}: GET {url} answered {response.status_code} ({len(response.content)} bytes)")
    print(f"ok  {response.status_code} {url} ({len(response.content)} bytes)")
    return response


def check_served(url: str) -> None:
    page = get_ok(f"{url}/", "the page")
    scripts = re.findall(r'<script[^>]* src="([^"]+)"', page.text)
    if "/static/vendor/cytoscape.min.js" not in scripts:
        sys.exit(f"the page does not load the vendored graph library: {scripts}")
    for src in scripts:
        get_ok(url + src, "a script of the page")
    docs = get_ok(f"{url}/docs", "the API docs")
    assets = re.findall(r"""(?:src|href)=['"](/static/[^'"]+)['"]""", docs.text)
    if len(assets) < 2 or re.search(r"""(?:src|href)=['"]https?://""", docs.text):
        sys.exit(f"/docs must load its assets from this server; it names {assets} and:\n{docs.text[:800]}")
    for asset in assets:
        get_ok(url + asset, "an asset of /docs")
    get_ok(f"{url}/openapi.json", "the OpenAPI schema")


def main() -> None:
    work = Path(sys.argv[1])
    corpus = work / "corpus"
    corpus.mkdir(parents=True)
    (corpus / "notes.md").write_text("# 注意力机制\n\n注意力机制让模型在处理序列时为不同位置分配权重。\n", "utf-8")
    env = {**os.environ, "KGQA_CORPUS_DIR": str(corpus), "KGQA_INDEX_DIR": str(work / "indexes"),
           "KGQA_RATE_LIMIT": ""}
    env.pop("KGQA_URL", None)
    helped = kgqa("--help", env=env)
    if helped.returncode != 0 or "serve" not in helped.stdout:
        sys.exit(f"kgqa --help failed ({helped.returncode}):\n{helped.stdout}{helped.stderr}")
    print("ok  kgqa --help")
    url = f"http://127.0.0.1:{free_port()}"
    server = subprocess.Popen([str(Path(sys.executable).with_name("kgqa")), "serve", "--port", url.rsplit(":", 1)[1]],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_healthy(url, server)
        check_served(url)
        asked = kgqa("ask", "什么是注意力机制", "--url", url, env=env)
        if asked.returncode != 0 or "[1]" not in asked.stdout:
            sys.exit(f"kgqa ask --url failed ({asked.returncode}):\n{asked.stdout}{asked.stderr}")
        print("ok  kgqa ask --url")
    finally:
        server.terminate()
        server.wait(timeout=30)
    print("lean install check passed")


if __name__ == "__main__":
    main()
