"""Command-line conventions, checked by running the real ``paragraf`` as a subprocess.

Global options before or after the subcommand, unquoted search words, results on
stdout and failures on stderr, quiet broken pipes, an English sentence for every
invalid value, ``--from``/``--to``, the spelling suggestion, progress on stderr
(plain lines in a pipe, a progress bar on a real terminal), help on every option.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from paragraf_se.cli import EXIT_BROKEN_PIPE, build_parser

FIXTURE = Path(__file__).parent / "fixtures" / "web" / "ks-2022-03-02.txt"  # 2022-03-02, § 13–15
_SCRIPT = Path(sys.executable).parent / "paragraf"
PARAGRAF = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "paragraf_se.cli"]


def paragraf(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PARAGRAF, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PARAGRAF_DATA_DIR": "/nonexistent/unused",
                               **(env or {})})


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A data directory with the fixture protocol ingested (--data-dir after the command)."""
    folder = str(tmp_path_factory.mktemp("cli") / "data")
    done = paragraf("ingest", str(FIXTURE), "--data-dir", folder)
    assert done.returncode == 0, done.stderr
    return folder


def _citations(out: str) -> list[str]:
    return [line.split("  ")[0].strip() for line in out.splitlines()
            if line[:4].strip().rstrip(".").isdigit()]


def test_global_options_before_or_after_the_command(data: str) -> None:
    before = paragraf("--data-dir", data, "search", "eldning")
    after = paragraf("search", "eldning", "--data-dir", data)
    assert before.returncode == after.returncode == 0
    assert before.stdout == after.stdout and "§ 15" in after.stdout
    # Nested subcommands too; and given twice, the later (after the command) wins.
    listed = paragraf("--data-dir", "/nonexistent/x", "archive", "ls", "--data-dir", data)
    assert listed.returncode == 0 and FIXTURE.name in listed.stdout


def test_search_takes_unquoted_words(data: str) -> None:
    unquoted = paragraf("search", "eldning", "förbud", "--data-dir", data, "--json")
    quoted = paragraf("search", "eldning förbud", "--data-dir", data, "--json")
    assert unquoted.returncode == 0 and unquoted.stdout == quoted.stdout
    assert json.loads(unquoted.stdout)["total"] >= 1


def test_from_and_to_filter_by_meeting_date(data: str) -> None:
    inside = paragraf("search", "--from", "2022-03-01", "--to", "2022-03-02", "--data-dir", data)
    outside = paragraf("search", "--from", "2022-03-03", "--data-dir", data)
    assert inside.returncode == outside.returncode == 0
    assert inside.stdout.startswith("3 paragraph(s)")
    assert outside.stdout.startswith("0 paragraph(s)")
    wrong_way = paragraf("search", "--from", "2023-01-01", "--to", "2022-01-01",
                         "--data-dir", data)
    assert wrong_way.returncode == 2 and wrong_way.stdout == ""
    assert wrong_way.stderr.strip() == "paragraf: --from must not be after --to"


def test_the_spelling_suggestion_is_in_text_output_as_in_json(data: str) -> None:
    as_json = json.loads(paragraf("search", "eldnig", "--json", "--data-dir", data).stdout)
    assert as_json["suggestion"] == "eldning"
    text = paragraf("search", "eldnig", "--data-dir", data)
    assert text.returncode == 0 and "did you mean: eldning?" in text.stdout.splitlines()


@pytest.mark.parametrize(("args", "sentence"), [
    (["search", "--year", "20x5", "x"], "argument --year: '20x5' is not a year; write four digits"),
    (["search", "--from", "2024-13-01", "x"], "argument --from: '2024-13-01' is not a date;"),
    (["search", "--to", "igår", "x"], "argument --to: 'igår' is not a date; write it as"),
    (["ingest", "x.txt", "--date", "2022-02-30"], "argument --date: '2022-02-30' is not a date"),
    (["search", "--sort", "best", "x"],
     "argument --sort: 'best' is not one of relevance, newest, oldest"),
    (["search", "--mode", "fuzzy", "x"], "argument --mode: 'fuzzy' is not one of stemmed, exact"),
    (["search", "--page", "0", "x"], "argument --page: '0' is not a whole number of 1 or more"),
    (["search", "--size", "ten", "x"], "argument --size: 'ten' is not a whole number"),
    (["serve", "--port", "70000"], "argument --port: '70000' is not a port; give a number"),
    (["demo", "--port", "http"], "argument --port: 'http' is not a port"),
    (["serve", "--rate-limit", "-5"], "argument --rate-limit: '-5' is not a number of 0 or more"),
    (["crawl", "--seed", "http://x", "--max-pages", "many"],
     "argument --max-pages: 'many' is not a whole number"),
    (["crawl", "--seed", "http://x", "--delay", "nan"], "argument --delay: 'nan' is not a number"),
])
def test_invalid_values_get_a_sentence_not_a_python_message(
        tmp_path: Path, args: list[str], sentence: str) -> None:
    done = paragraf(*args, "--data-dir", str(tmp_path))
    assert done.returncode == 2 and done.stdout == ""
    assert sentence in done.stderr
    for python_talk in ("Traceback", "invalid int value", "invalid float value", "ValueError",
                        "invalid choice"):
        assert python_talk not in done.stderr


def test_a_closed_pipe_ends_quietly(data: str) -> None:
    # The reader is gone before anything is written, as with `| head -1` on long output.
    proc = subprocess.Popen([*PARAGRAF, "search", "", "--size", "100", "--data-dir", data],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=120) == EXIT_BROKEN_PIPE
    assert "Traceback" not in err and "BrokenPipe" not in err and err == ""


def test_a_shell_pipeline_into_head(data: str) -> None:
    done = subprocess.run(
        ["bash", "-c", 'for i in 1 2 3; do "$@" || exit $?; done | head -1',
         "bash", *PARAGRAF, "search", "", "--data-dir", data],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout == "3 paragraph(s)\n"
    assert "Traceback" not in done.stderr


def test_failures_and_progress_on_stderr_results_on_stdout(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(FIXTURE.read_bytes())
    (folder / "b-broken.pdf").write_bytes(b"%PDF-1.7\n not a pdf")
    done = paragraf("ingest", str(folder), "--data-dir", str(tmp_path / "d"))
    assert done.returncode == 1
    assert "a.txt: 3 paragraphs" in done.stdout and "FAILED" not in done.stdout
    assert f"FAILED    {folder / 'b-broken.pdf'}" in done.stderr
    # Not a terminal: plain progress lines, the last with n/N and rates.
    last = [line for line in done.stderr.splitlines() if line.startswith("ingest: ")][-1]
    assert last.startswith("ingest: 2/2 files (100%), ") and "files/s" in last
    assert "3 § (" in last and "§/s" in last and "failed 1" in last


def test_ingest_draws_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen([*PARAGRAF, "ingest", str(FIXTURE), "--data-dir", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=terminal, text=True)
    os.close(terminal)
    screen = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    os.close(controller)
    assert proc.stdout is not None
    out = proc.stdout.read()
    proc.stdout.close()
    assert proc.wait(timeout=60) == 0 and "3 paragraphs" in out
    drawn = screen.decode("utf-8", "replace")
    # tqdm's bar: carriage-return redraws and "n/N [elapsed<left, rate]".
    assert "\r" in drawn and "1/1" in drawn and "files/s" in drawn and "3 §" in drawn
    assert "ingest: 1/1 files (100%)" not in drawn  # not the plain line


def _actions(parser: argparse.ArgumentParser, path: str) -> list[tuple[str, argparse.Action]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                found.append((f"{path} {choice.dest}", choice))
            for name, sub in action.choices.items():
                found.extend(_actions(sub, f"{path} {name}"))
        elif not isinstance(action, argparse._HelpAction):
            found.append((f"{path} {'/'.join(action.option_strings) or action.dest}", action))
    return found


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found.extend(_parsers(sub))
    return found


def test_every_option_and_command_has_help() -> None:
    parser = build_parser()
    actions = _actions(parser, "paragraf")
    assert len(actions) > 60
    missing = [name for name, action in actions
               if not action.help or action.help == argparse.SUPPRESS]
    assert missing == []
    # Every help page renders (a stray '%' in a help text would raise here).
    for sub in _parsers(parser):
        assert "--data-dir DIR" in sub.format_help()
