"""The README's first command: `grants demo` prepares the embedded defaults and serves them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_grants_demo_serves_the_product_on_the_embedded_defaults(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("GRANTS_", "FLASK_"))
    }
    env["GRANTS_INSTANCE_DIR"] = str(tmp_path / "instance")  # SQLite file, local files
    process = subprocess.Popen(
        [sys.executable, "-c", "from grants.cli import main; main()", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        page = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    page = response.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert page is not None, "the demo server did not answer"
        assert "Un seul dossier" in page
        assert (tmp_path / "instance" / "grants.db").exists()
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert "promoteur@demo.grants.fr" in output
