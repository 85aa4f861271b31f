"""Packaging: the word lists are data that must be there, and the built wheel works on its own.

The wheel test builds sdist and wheel (``python -m build`` builds the wheel from the
sdist, so a file missing from MANIFEST.in is missing from the wheel too), installs the
wheel with ``constraints.txt`` into a fresh venv outside the source tree, and runs the
installed ``paragraf`` there: ``--version``, ``demo --no-serve`` and a compound query.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from paragraf_se.indexer.analysis import stem, use_wordlist, words
from paragraf_se.indexer.compounds import WordListMissing, dictionary, split_cached
from paragraf_se.indexer.engine import SearchRequest
from paragraf_se.indexer.errors import IndexFormatError
from paragraf_se.indexer.search import search
from paragraf_se.indexer.whoosh.index import WhooshIndex
from paragraf_se.settings import DataDir, use_data_dir_wordlist

ROOT = Path(__file__).resolve().parent.parent
PARAGRAF = Path(sys.executable).with_name("paragraf")
# Source folder -> installed folder, for the data files the wheel must carry.
DATA_FOLDERS = {
    "indexer/data": "paragraf_se/indexer/data",
    "ui/templates": "paragraf_se/ui/templates",
    "ui/static": "paragraf_se/ui/static",
    "paragraf/sample_site/site": "paragraf_se/sample_site/site",
}
LICENCE_FILES = ["LICENSE", "LICENSES/WORDLIST.md", "LICENSES/LGPL-3.0.txt",
                 "LICENSES/GPL-3.0.txt"]


def _run(cmd: list[str], *, cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PARAGRAF_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(extra)
    return env


@pytest.fixture
def restore_wordlist():
    yield
    use_wordlist(None)


def test_missing_word_list_is_an_error_not_an_empty_list(tmp_path, restore_wordlist):
    use_wordlist(tmp_path / "gone.txt")
    with pytest.raises(WordListMissing, match=r"gone\.txt"):
        dictionary()
    (tmp_path / "empty.txt").write_text("\n", encoding="utf-8")
    use_wordlist(tmp_path / "empty.txt")
    with pytest.raises(WordListMissing, match="empty"):
        split_cached("avfallsplanen")
    use_wordlist(None)
    assert split_cached("avfallsplanen") == ("avfall", "planen")


def test_compounds_build_writes_into_the_data_dir_which_then_wins(tmp_path, restore_wordlist):
    dic = tmp_path / "sv_SE.dic"
    dic.write_text("3\nzorbel/AB\nplutt/X\navfall\n", encoding="utf-8")
    data = tmp_path / "data"
    done = _run([str(PARAGRAF), "--data-dir", str(data), "compounds", "build",
                 "--hunspell", str(dic)], cwd=tmp_path, env=_clean_env())
    assert done.returncode == 0, done.stderr
    written = data / "compounds" / "sv_words.txt"
    assert str(written) in done.stdout
    listed = written.read_text(encoding="utf-8").split()
    assert {"zorbel", "plutt", "avfall", "samverkan"} <= set(listed)  # + the extra words
    assert split_cached("zorbelplutt") == ()  # the shipped list knows neither part
    assert use_data_dir_wordlist(DataDir(data)) == written
    assert split_cached("zorbelplutt") == ("zorbel", "plutt")
    assert use_data_dir_wordlist(DataDir(tmp_path / "other")).name == "sv_words.txt"
    assert split_cached("zorbelplutt") == ()


def test_compounds_build_without_a_dictionary_is_one_sentence(tmp_path):
    done = _run([str(PARAGRAF), "--data-dir", str(tmp_path / "d"), "compounds", "build",
                 "--hunspell", str(tmp_path / "nope.dic")], cwd=tmp_path, env=_clean_env())
    assert done.returncode == 2
    assert "nope.dic not found" in done.stderr and "Traceback" not in done.stderr


# Writes an index whose pickled schema names the analyzers as they were named before
# the package moved under paragraf_se ("indexer.analysis.SwedishTokenizer").
_OLD_INDEX = """
import sys, types
from pathlib import Path
import paragraf_se.indexer.analysis as analysis
from paragraf_se.indexer.whoosh.index import WhooshIndex
package, module = types.ModuleType("indexer"), types.ModuleType("indexer.analysis")
package.analysis = module
for name, obj in vars(analysis).copy().items():
    if isinstance(obj, type) and obj.__module__ == analysis.__name__:
        obj.__module__ = "indexer.analysis"
        setattr(module, name, obj)
sys.modules.update({"indexer": package, "indexer.analysis": module})
WhooshIndex(Path(sys.argv[1])).close()
"""


@pytest.fixture
def old_index(tmp_path) -> Path:
    data = tmp_path / "old-data"
    done = _run([sys.executable, "-c", _OLD_INDEX, str(data / "index")], cwd=tmp_path,
                env=_clean_env())
    assert done.returncode == 0, done.stderr
    toc = next((data / "index").glob("_paragraphs_*.toc")).read_bytes()
    assert b"indexer.analysis" in toc and b"paragraf_se.indexer.analysis" not in toc
    return data


@pytest.mark.parametrize("command", [["search", "avfall"], ["serve", "--port", "0"]])
def test_index_from_before_the_rename_gives_one_clear_error(old_index, tmp_path, command):
    done = _run([str(PARAGRAF), "--data-dir", str(old_index), *command], cwd=tmp_path,
                env=_clean_env())
    assert done.returncode == 2, done.stdout + done.stderr
    assert "older version of Paragraf" in done.stderr
    assert "paragraf index --rebuild" in done.stderr
    assert "Traceback" not in done.stderr


def test_old_index_refused_even_where_the_old_modules_import(old_index, monkeypatch):
    # From a source checkout the old top-level name imports: a second copy of our
    # code must not be accepted as the analyzer.
    monkeypatch.syspath_prepend(str(ROOT))
    with pytest.raises(IndexFormatError, match="index --rebuild"):
        WhooshIndex(old_index / "index")


def test_index_rebuild_replaces_an_old_index(old_index, tmp_path):
    done = _run([str(PARAGRAF), "--data-dir", str(old_index), "index", "--rebuild"],
                cwd=tmp_path, env=_clean_env())
    assert done.returncode == 0, done.stderr
    done = _run([str(PARAGRAF), "--data-dir", str(old_index), "search", "avfall"],
                cwd=tmp_path, env=_clean_env())
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("0 paragraph(s)")


def test_version_option():
    done = _run([str(PARAGRAF), "--version"], cwd=ROOT, env=_clean_env())
    assert done.returncode == 0
    assert done.stdout.strip() == "paragraf 0.1.0"


def _build_available() -> bool:
    try:
        import build  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> dict[str, Path]:
    if not _build_available():
        if os.environ.get("CI"):
            pytest.fail("the 'build' package is missing (pip install -e '.[test]')")
        pytest.skip("the 'build' package is missing")
    out = tmp_path_factory.mktemp("dist")
    done = _run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], cwd=out)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return {"wheel": next(out.glob("*.whl")), "sdist": next(out.glob("*.tar.gz"))}


def _data_files(folder: str) -> list[str]:
    base = ROOT / folder
    return sorted(str(p.relative_to(base)) for p in base.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts)


@pytest.mark.parametrize("folder", sorted(DATA_FOLDERS))
def test_wheel_and_sdist_carry_every_data_file(dists, folder):
    in_wheel = set(zipfile.ZipFile(dists["wheel"]).namelist())
    with tarfile.open(dists["sdist"]) as tar:
        in_sdist = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    files = _data_files(folder)
    assert files
    assert [f for f in files if f"{DATA_FOLDERS[folder]}/{f}" not in in_wheel] == []
    assert [f for f in files if f"{folder}/{f}" not in in_sdist] == []


def test_wheel_and_sdist_carry_the_licences(dists):
    in_wheel = zipfile.ZipFile(dists["wheel"]).namelist()
    with tarfile.open(dists["sdist"]) as tar:
        in_sdist = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    for name in LICENCE_FILES:
        assert any(n.endswith(f".dist-info/licenses/{name}") for n in in_wheel), name
        assert name in in_sdist, name
    assert "constraints.txt" in in_sdist


def test_installed_wheel_runs_the_demo_and_splits_compounds(dists, tmp_path_factory):
    """A fresh venv outside the tree holding only the wheel (and its pinned dependencies)."""
    work = tmp_path_factory.mktemp("wheel-venv")
    venv = work / "venv"
    done = _run([sys.executable, "-m", "venv", str(venv)], cwd=work)
    assert done.returncode == 0, done.stderr
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-compile",
           "--disable-pip-version-check", "-c", str(ROOT / "constraints.txt"),
           str(dists["wheel"])]
    done = _run(pip, cwd=work, env=_clean_env())
    assert done.returncode == 0, done.stderr[-3000:]
    paragraf = str(venv / "bin" / "paragraf")
    env = _clean_env()

    done = _run([paragraf, "--version"], cwd=work, env=env)
    assert done.stdout.strip() == "paragraf 0.1.0", done.stderr
    # The installed code, not the source tree's.
    done = _run([str(venv / "bin" / "python"), "-c",
                 "import paragraf_se.indexer.compounds as c; print(c.WORDLIST)"],
                cwd=work, env=env)
    assert done.stdout.startswith(str(venv)), done.stdout + done.stderr

    data = work / "data"
    done = _run([paragraf, "--data-dir", str(data), "demo", "--no-serve"], cwd=work, env=env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Index:" in done.stdout

    done = _run([paragraf, "--data-dir", str(data), "search", "avfall", "--size", "50",
                 "--json"], cwd=work, env=env)
    assert done.returncode == 0, done.stderr
    from_wheel = json.loads(done.stdout)
    index = WhooshIndex(data / "index")
    try:
        in_tree = search(index, SearchRequest(q="avfall", size=50))
        found = [index.get(h["id"]) for h in from_wheel["hits"]]
    finally:
        index.close()
    # The same count as the source tree's code on the same data.
    assert from_wheel["total"] == in_tree.total == len(found)
    # Some hits hold "avfall" only inside compounds ("avfallsplan", "restavfall"):
    # found only because the installed word list splits them.
    compound_only = [p.title for p in found if p is not None and "avfall" not in
                     {stem(w) for w in words(" ".join([p.title, p.decision, p.text]))}]
    assert compound_only, [p.title for p in found if p is not None]


def test_rebuild_workers_split_with_the_data_dir_word_list(tmp_path):
    """``index --rebuild`` analyses in spawned worker processes: they must use the data
    directory's word list too, or the index and the queries would split differently."""
    dic = tmp_path / "sv_SE.dic"
    dic.write_text("2\nzorbel\nplutt\n", encoding="utf-8")
    data = tmp_path / "data"
    protocol = (ROOT / "tests/fixtures/parsing/classic_protocol.txt").read_text(encoding="utf-8")
    source = tmp_path / "protokoll.txt"
    source.write_text(protocol.replace("Ärendebeskrivning\n",
                                       "Ärendebeskrivning\nOm zorbelplutten.\n", 1),
                      encoding="utf-8")
    env = _clean_env()
    base = [str(PARAGRAF), "--data-dir", str(data)]
    ingest = _run([*base, "ingest", str(source), "--org", "Åsjö kommun"], cwd=tmp_path, env=env)
    assert ingest.returncode == 0, ingest.stdout

    def hits() -> int:
        done = _run([*base, "search", "plutt", "--json"], cwd=tmp_path, env=env)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)["total"]

    assert hits() == 0  # the shipped list cannot split "zorbelplutten"
    built = _run([*base, "compounds", "build", "--hunspell", str(dic)], cwd=tmp_path, env=env)
    assert built.returncode == 0, built.stderr
    rebuilt = _run([*base, "index", "--rebuild"], cwd=tmp_path, env=env)
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert hits() == 1
