"""The spine's acceptance check on the real seed protocol (skips without ../shared)."""

from paragraf_se.cli import main
from tests.shared_data import seed


def test_basfinansiering_turism_puts_paragraph_42_first(tmp_path, capsys):
    path = seed("000_")
    data = str(tmp_path / "data")
    # The protocol prints no authority of its own (only members' affiliations), so
    # ingest asks for it; body and date are read from the front page.
    assert main(["--data-dir", data, "ingest", str(path)]) == 1
    assert "could not read organisation (use --org)" in capsys.readouterr().err  # FAILED line
    assert main(["--data-dir", data, "ingest", str(path), "--org",
                 "Region Jämtland Härjedalen"]) == 0
    assert "16 paragraphs" in capsys.readouterr().out
    assert main(["--data-dir", data, "search", "basfinansiering turism"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("  1. Regionens samverkansråd 2017-08-21 § 42")
    assert "/p/region-jamtland-harjedalen/regionens-samverkansrad/2017-08-21/42" in lines[3]
