"""`kucun terminal sync` against a real `kucun server`: enroll on first use, then report each sync."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

from tests.e2e.test_server_killed_mid_sync import free_port, kucun, start_server
from tests.harness import SITE


def test_a_terminal_enrolls_and_syncs_from_the_command_line(tmp_path: Path):
    db, site_file, replica = tmp_path / "server.db", tmp_path / "site.json", tmp_path / "t.replica"
    site_file.write_text(json.dumps(SITE))
    subprocess.run(kucun("admin", "--db", str(db), "load", str(site_file)), check=True, capture_output=True)
    code = json.loads(subprocess.run(
        kucun("admin", "--db", str(db), "enroll-code", "--warehouse", "WH1", "--json"),
        check=True, capture_output=True, text=True).stdout)["enrollment_code"]
    port = free_port()
    server = start_server(db, port)
    url = f"http://127.0.0.1:{port}"
    try:
        unenrolled = subprocess.run(kucun("terminal", "sync", "--replica", str(replica), "--server", url),
                                    capture_output=True, text=True)
        assert unenrolled.returncode == 1 and "--enroll" in unenrolled.stderr
        first = subprocess.run(kucun("terminal", "sync", "--replica", str(replica), "--server", url,
                                     "--enroll", code), capture_output=True, text=True)
        assert first.returncode == 0, first.stderr
        assert "enrolled as device d-" in first.stdout and "snapshot" in first.stdout
        again = subprocess.run(kucun("terminal", "sync", "--replica", str(replica), "--server", url,
                                     "--json"), capture_output=True, text=True)
        report = json.loads(again.stdout)
        assert report["pushed"] == 0 and report["pending_after"] == 0 and not report["snapshot"]
        reused = subprocess.run(kucun("terminal", "sync", "--replica", str(tmp_path / "other.replica"),
                                      "--server", url, "--enroll", code), capture_output=True, text=True)
        assert reused.returncode == 1 and "enrollment_code_used" in reused.stderr
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
    down = subprocess.run(kucun("terminal", "sync", "--replica", str(replica), "--server", url,
                                "--attempts", "2"), capture_output=True, text=True)
    assert down.returncode == 1 and "nothing recorded on this terminal is lost" in down.stderr
