"""The ``paragraf`` command line, run in-process on real files and a real data directory."""

import json
from pathlib import Path

import pytest

from paragraf_se.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "web" / "ks-2022-03-02.txt"


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_ingest_is_idempotent(tmp_path, capsys):
    data = str(tmp_path / "data")
    code, out, _ = run(capsys, "--data-dir", data, "ingest", str(FIXTURE))
    assert code == 0
    assert "3 paragraphs, 3 new" in out and "(archived," in out
    code, out, _ = run(capsys, "--data-dir", data, "ingest", str(FIXTURE))
    assert code == 0
    assert "3 unchanged" in out and "already archived" in out


def test_failures_are_reported_and_others_go_on(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a-broken.pdf").write_bytes(b"%PDF-1.7\n this is not really a pdf")
    (folder / "b-good.txt").write_bytes(FIXTURE.read_bytes())
    data = str(tmp_path / "data")
    code, out, err = run(capsys, "--data-dir", data, "ingest", str(folder),
                         str(tmp_path / "missing.pdf"))
    assert code == 1
    # Failures on stderr, results on stdout.
    assert "FAILED    " + str(folder / "a-broken.pdf") in err and "FAILED" not in out
    assert "missing.pdf: no such file or directory" in err
    assert "b-good.txt: 3 paragraphs" in out
    assert "3 file(s), 2 failed" in out
    assert "ingest: 3/3 files (100%)" in err  # the final progress line
    # The broken original is archived all the same: nothing is lost.
    from paragraf_se.archive.store import Archive
    with Archive(tmp_path / "data" / "archive") as archive:
        sources = {c.source for c in archive.captures()}
    assert (folder / "a-broken.pdf").resolve().as_uri() in sources


def test_options_override_and_missing_identity_is_explained(tmp_path, capsys):
    undated = tmp_path / "undated.txt"
    undated.write_text("§ 1 Val av justerare\n\nBeslut\nAnna utses att justera.\n",
                       encoding="utf-8")
    data = str(tmp_path / "data")
    code, _, err = run(capsys, "--data-dir", data, "ingest", str(undated))
    assert code == 1 and "use --date" in err
    code, out, _ = run(capsys, "--data-dir", data, "ingest", str(undated), "--org", "Åsjö kommun",
                       "--body", "Kulturnämnden", "--date", "2020-02-02", "--json")
    assert code == 0
    assert json.loads(out.splitlines()[0])["paragraphs"] == 1
    code, out, _ = run(capsys, "--data-dir", data, "search", "justera", "--json")
    hit = json.loads(out)["hits"][0]
    assert (hit["body"], hit["date"]) == ("Kulturnämnden", "2020-02-02")


def test_search_and_data_dir_from_environment(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PARAGRAF_DATA_DIR", str(tmp_path / "envdata"))
    assert run(capsys, "ingest", str(FIXTURE))[0] == 0
    code, out, _ = run(capsys, "search", "eldning", "--year", "2022")
    assert code == 0
    assert "Kommunstyrelsen 2022-03-02 § 15" in out.splitlines()[1]
    assert (tmp_path / "envdata" / "index").is_dir()


def test_parse_prints_paragraphs_without_storing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "parse", str(FIXTURE))
    assert code == 0
    assert "§ 14" in out and "Avfallsplan för Åsjö kommun 2022–2030" in out
    assert not (tmp_path / "paragraf-data").exists()
    code, out, _ = run(capsys, "parse", str(FIXTURE), "--json")
    parsed = json.loads(out)
    assert [p["number"] for p in parsed["paragraphs"]] == ["14", "15", "16"]


def test_rebuild_keeps_ids(tmp_path, capsys):
    data = str(tmp_path / "data")
    run(capsys, "--data-dir", data, "ingest", str(FIXTURE))
    before = json.loads(run(capsys, "--data-dir", data, "search", "", "--json")[1])
    code, out, _ = run(capsys, "--data-dir", data, "index", "--rebuild")
    assert code == 0 and "Rebuilt index: 3 paragraphs" in out
    after = json.loads(run(capsys, "--data-dir", data, "search", "", "--json")[1])
    assert sorted(h["id"] for h in before["hits"]) == sorted(h["id"] for h in after["hits"])


def test_bad_arguments_exit_nonzero(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--data-dir", str(tmp_path), "ingest", "x.txt", "--date", "2022-02-30"])
    assert exc.value.code == 2


def test_search_continues_with_partial_matches_and_clean_snippets(tmp_path, capsys):
    data = str(tmp_path / "data")
    run(capsys, "--data-dir", data, "ingest", str(FIXTURE))
    code, out, _ = run(capsys, "--data-dir", data, "search", "avfall eldning")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "1 paragraph(s)"
    assert "§ 15" in lines[1]
    heading = lines.index("with some of the words (1):")
    assert "§ 14" in lines[heading + 1]
    # Snippets start with the running text, not "Dnr KS 2021/114 Sammanfattning".
    assert lines[heading + 2].strip().startswith("Kommunen ska enligt miljöbalken")
    body = json.loads(run(capsys, "--data-dir", data, "search", "avfall eldning", "--json")[1])
    assert [h["match"] for h in body["hits"]] == ["all", "partial"]
    assert body["total"] == 1 and body["partial_total"] == 1
