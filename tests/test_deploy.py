"""The shipped systemd units pass ``systemd-analyze verify`` and run real paragraf commands.

``systemd-analyze verify`` works without a running systemd when given a root
directory: the units go into ``<root>/etc/systemd/system``, the distribution's
units (for ``multi-user.target`` and friends) are copied into
``<root>/usr/lib/systemd/system``, and a stub stands in for the installed
``/opt/paragraf/venv/bin/paragraf`` (verify checks that ExecStart is executable).
"""

from __future__ import annotations

import configparser
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from paragraf_se.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
UNITS = ["paragraf.service", "paragraf-crawl.service", "paragraf-crawl.timer"]
SYSTEM_UNITS = Path("/usr/lib/systemd/system")


def _need_systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found and SYSTEM_UNITS.is_dir():
        return found
    if os.environ.get("CI"):
        pytest.fail("systemd-analyze is missing: make system-deps installs Debian's systemd")
    pytest.skip("systemd-analyze is missing (Debian package systemd)")


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in units
    parser.read(ROOT / "deploy" / name, encoding="utf-8")
    return parser


def _exec_start(name: str) -> list[str]:
    return shlex.split(_unit(name)["Service"]["ExecStart"])


@pytest.fixture
def system_root(tmp_path) -> Path:
    root = tmp_path / "root"
    shutil.copytree(SYSTEM_UNITS, root / "usr/lib/systemd/system", symlinks=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    for name in UNITS:
        shutil.copy(ROOT / "deploy" / name, root / "etc/systemd/system" / name)
    binary = root / _exec_start("paragraf.service")[0].lstrip("/")
    binary.parent.mkdir(parents=True)
    binary.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    binary.chmod(0o755)
    return root


def _verify(root: Path, *names: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_need_systemd_analyze(), "verify", f"--root={root}",
         *(f"/etc/systemd/system/{n}" for n in names)],
        capture_output=True, text=True, timeout=120, check=False, cwd=root)


def test_units_pass_systemd_analyze_verify(system_root):
    done = _verify(system_root, *UNITS)
    # verify reports a bad setting on stderr and still exits 0: both must be clean.
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == ""


def test_verify_catches_a_broken_unit(system_root):
    unit = system_root / "etc/systemd/system/paragraf.service"
    unit.write_text(unit.read_text(encoding="utf-8").replace(
        "Restart=on-failure", "Restart=sometimes"), encoding="utf-8")
    assert "restart" in _verify(system_root, "paragraf.service").stderr.lower()
    binary = system_root / _exec_start("paragraf.service")[0].lstrip("/")
    binary.unlink()
    assert _verify(system_root, "paragraf-crawl.service").returncode != 0


@pytest.mark.parametrize("name", ["paragraf.service", "paragraf-crawl.service"])
def test_exec_start_is_a_paragraf_command_line(name):
    argv = _exec_start(name)
    assert argv[0] == "/opt/paragraf/venv/bin/paragraf"
    args = build_parser().parse_args(argv[1:])  # exits (fails the test) if not valid
    assert args.command == {"paragraf.service": "serve", "paragraf-crawl.service": "crawl"}[name]


def test_timer_starts_the_crawl_nightly():
    timer = _unit("paragraf-crawl.timer")["Timer"]
    assert timer["Unit"] == "paragraf-crawl.service"
    assert timer["OnCalendar"].endswith("02:30:00") and timer["Persistent"] == "true"


def test_example_settings_load():
    from paragraf_se.serve_config import resolve

    config = resolve({}, {}, ROOT / "deploy" / "serve.example.toml")
    assert config.root_path == "/paragraf"
    assert config.public_base() == "https://protokoll.example.se/paragraf"
    nginx = (ROOT / "deploy" / "nginx-paragraf.conf").read_text(encoding="utf-8")
    assert f"location {config.root_path}/ {{" in nginx
    assert f"proxy_pass http://{config.host}:{config.port}/;" in nginx
