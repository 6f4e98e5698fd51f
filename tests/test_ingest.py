"""Tests for coach.knowledge.ingest and coach.knowledge.library: validation, idempotency, crash safety."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from coach.errors import CoachError, InputError
from coach.knowledge import store as vectorstore
from coach.knowledge.ingest import (
    EMBED_BATCH,
    MAX_BYTES,
    guide_files,
    guide_id_for,
    ingest_file,
    ingest_text,
    read_guide,
)
from coach.knowledge.library import ingest_paths, load_playbook, require_guide
from coach.knowledge.retrieval import HybridRetriever

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_GUIDES = ROOT / "tests" / "fixtures" / "guides"

V1 = """# Widget Co: Backend Engineer

## Pay

| Office | Base Salary |
|---|---|
| Lisbon | $100K–$120K |

## Advice

Ask for the top of the band: the widget roadmap depends on this role.
"""

V2 = V1.replace("$100K–$120K", "$130K–$150K").replace("widget roadmap", "gadget roadmap")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def chunk_metas(store: Any, guide_id: str) -> list[dict[str, Any]]:
    return store.vectors._collection.get(where={"guide_id": guide_id}, include=["metadatas"])[
        "metadatas"
    ]


def top_text(store: Any, question: str, guide: str = "widget-co") -> str:
    return "\n".join(p.text for p in HybridRetriever(store).retrieve(question, guide_ids=[guide]))


def fresh_handle(make_store: Any) -> Any:
    """What a new process would see: a new client on the same folder."""
    vectorstore._CLIENTS.clear()
    return make_store()


# --- ids and file discovery -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cerebras-ml-ai-engineer.md", "cerebras-ml-ai-engineer"),
        ("My Guide (2026).md", "my-guide-2026"),
        ("ACME_Staff.txt", "acme-staff"),
        ("___.md", "guide"),
    ],
)
def test_guide_id_for(name: str, expected: str) -> None:
    assert guide_id_for(Path(name)) == expected


def test_guide_files_expands_folders_and_skips_other_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write(tmp_path, "b.md", "x")
    write(tmp_path, "a.txt", "x")
    write(tmp_path / "sub", "c.markdown", "x")
    write(tmp_path, "notes.pdf", "x")
    write(tmp_path, "image.png", "x")
    found = guide_files([tmp_path])
    assert [p.name for p in found] == ["a.txt", "b.md", "c.markdown"]
    single = tmp_path / "notes.pdf"
    assert guide_files([single]) == [single]  # a named file is validated later, not skipped


# --- read_guide -----------------------------------------------------------------------------


def _bad_guides(folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (path, a phrase the error must contain)."""
    cases: dict[str, tuple[Path, str]] = {}
    empty = folder / "empty.md"
    empty.write_bytes(b"")
    cases["empty"] = (empty, "is empty")
    binary = folder / "binary.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    cases["binary"] = (binary, "binary")
    huge = folder / "huge.md"
    huge.write_bytes(b"# Huge\n" + b"salary talk. " * (MAX_BYTES // 13 + 10))
    cases["huge"] = (huge, "MB")
    latin = folder / "latin1.md"
    latin.write_bytes("# Café guide\n\nNégociez le salaire à São Paulo.\n".encode("latin-1"))
    cases["latin-1"] = (latin, "UTF-8")
    pdf = folder / "guide.pdf"
    pdf.write_bytes(b"%PDF-1.7 some text")
    cases["suffix"] = (pdf, "not a guide file")
    blank = folder / "blank.md"
    blank.write_text("   \n\n---\n  * \n", encoding="utf-8")
    cases["no-text"] = (blank, "no readable text")
    cases["missing"] = (folder / "nope.md", "does not exist")
    return cases


@pytest.mark.parametrize(
    "case", ["empty", "binary", "huge", "latin-1", "suffix", "no-text", "missing"]
)
def test_read_guide_rejects_bad_files_with_one_line(tmp_path: Path, case: str) -> None:
    path, phrase = _bad_guides(tmp_path)[case]
    with pytest.raises(InputError) as info:
        read_guide(path)
    line = info.value.one_line()
    assert phrase in line
    assert path.name in line
    assert "\n" not in line
    assert info.value.hint, "every input error says how to fix it"


def test_latin1_error_names_the_bad_byte_and_a_fix(tmp_path: Path) -> None:
    path = tmp_path / "latin.md"
    path.write_bytes(b"Caf\xe9")
    with pytest.raises(InputError, match=r"position 3") as info:
        read_guide(path)
    assert "iconv" in info.value.hint


def test_read_guide_accepts_bom_and_text_suffixes(tmp_path: Path) -> None:
    bom = tmp_path / "bom.TXT"
    bom.write_bytes("\ufeff# Guide\nHello".encode())
    assert read_guide(bom) == "# Guide\nHello"
    md = write(tmp_path, "x.markdown", "Plain text guide.")
    assert read_guide(md) == "Plain text guide."


def test_size_limit_is_exact(tmp_path: Path) -> None:
    ok = tmp_path / "limit.md"
    ok.write_bytes(b"a" * MAX_BYTES)
    assert len(read_guide(ok)) == MAX_BYTES
    over = tmp_path / "over.md"
    over.write_bytes(b"a" * (MAX_BYTES + 1))
    with pytest.raises(InputError):
        read_guide(over)


# --- idempotent ingest ----------------------------------------------------------------------


def test_first_ingest_adds_then_unchanged_embeds_nothing(
    tmp_path: Path, store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "widget-co.md", V1)
    first = ingest_file(store, path)
    assert (first.guide_id, first.status, first.title) == (
        "widget-co",
        "added",
        "Widget Co: Backend Engineer",
    )
    assert first.chunks == len(chunk_metas(store, "widget-co")) >= 2

    def no_embedding(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged guide must not be embedded again")

    monkeypatch.setattr(store, "add_chunks", no_embedding)
    again = ingest_file(store, path)
    assert (again.status, again.chunks) == ("unchanged", first.chunks)
    assert len(store.guides()) == 1


def test_an_unchanged_guide_gets_the_terms_a_newer_reader_finds_without_embedding(
    tmp_path: Path, store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coach.knowledge import ingest as ingest_module

    path = write(tmp_path, "widget-co.md", V1)
    ingest_file(store, path)
    newer = ingest_module.extract_playbook

    def reads_more(guide_id: str, text: str, title: str | None = None) -> Any:
        playbook = newer(guide_id, text, title=title)
        playbook.level_mapping = "Widget L4 = Google L4"  # a field the old reader missed
        return playbook

    def no_embedding(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged guide must not be embedded again")

    monkeypatch.setattr(ingest_module, "extract_playbook", reads_more)
    monkeypatch.setattr(store, "add_chunks", no_embedding)
    assert ingest_file(store, path).status == "unchanged"
    assert load_playbook(store, "widget-co").level_mapping == "Widget L4 = Google L4"


def test_record_holds_hash_path_and_playbook(tmp_path: Path, store: Any) -> None:
    path = write(tmp_path, "widget-co.md", V1)
    ingest_file(store, path)
    record = require_guide(store, "widget-co")
    assert len(record.content_hash) == 64
    assert record.path == str(path.resolve())
    assert record.ingested_at
    playbook = json.loads(record.playbook_json)
    assert [b["region"] for b in playbook["bands"]] == ["Lisbon"]
    assert load_playbook(store, "widget-co").bands[0].components["base"].high == 120_000


def test_edited_guide_is_updated_and_old_chunks_are_gone(tmp_path: Path, store: Any) -> None:
    path = write(tmp_path, "widget-co.md", V1)
    old = ingest_file(store, path)
    old_hash = require_guide(store, "widget-co").content_hash
    write(tmp_path, "widget-co.md", V2)
    new = ingest_file(store, path)
    assert new.status == "updated"
    new_hash = require_guide(store, "widget-co").content_hash
    assert new_hash != old_hash
    metas = chunk_metas(store, "widget-co")
    assert len(metas) == new.chunks
    assert {m["guide_hash"] for m in metas} == {new_hash}
    assert old.chunks == new.chunks  # same shape, new text: replaced, not appended
    text = top_text(store, "What is the base salary in Lisbon?")
    assert "$130K–$150K" in text and "$100K" not in text
    roadmap = top_text(store, "roadmap")
    assert "gadget" in roadmap and "widget roadmap" not in roadmap


def test_editing_back_and_forth_keeps_one_version(tmp_path: Path, store: Any) -> None:
    path = write(tmp_path, "widget-co.md", V1)
    statuses = []
    for text in (V1, V2, V1, V1):
        write(tmp_path, "widget-co.md", text)
        statuses.append(ingest_file(store, path).status)
    assert statuses == ["added", "updated", "updated", "unchanged"]
    assert len({m["guide_hash"] for m in chunk_metas(store, "widget-co")}) == 1


def test_guides_do_not_disturb_each_other(tmp_path: Path, store: Any) -> None:
    ingest_file(store, write(tmp_path, "widget-co.md", V1))
    ingest_file(store, FIXTURE_GUIDES / "acme-staff-backend.md")
    write(tmp_path, "widget-co.md", V2)
    ingest_file(store, tmp_path / "widget-co.md")
    assert [g.guide_id for g in store.guides()] == ["acme-staff-backend", "widget-co"]
    acme = chunk_metas(store, "acme-staff-backend")
    assert len(acme) == require_guide(store, "acme-staff-backend").chunks
    store.forget("widget-co")
    assert chunk_metas(store, "widget-co") == []
    assert [g.guide_id for g in store.guides()] == ["acme-staff-backend"]


def test_progress_reports_batches_up_to_the_total(store: Any) -> None:
    sections = "\n\n".join(f"## Part {i}\n\nAdvice number {i} about offers." for i in range(40))
    calls: list[tuple[int, int]] = []
    result = ingest_text(
        store, "many", "# Many\n\n" + sections, progress=lambda d, t: calls.append((d, t))
    )
    assert result.chunks == 40
    assert calls[-1] == (40, 40)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert len(calls) == -(-40 // EMBED_BATCH)


def test_text_without_chunks_is_an_input_error(store: Any) -> None:
    with pytest.raises(InputError, match="no text to store"):
        ingest_text(store, "headings", "# Only\n\n## Headings\n")
    assert store.guides() == []


# --- crash safety ---------------------------------------------------------------------------


class Killed(Exception):
    """Stands in for the process dying (SIGKILL) at a chosen step."""


def test_killed_before_activate_keeps_previous_version(
    tmp_path: Path, make_store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store()
    path = write(tmp_path, "widget-co.md", V1)
    ingest_file(store, path)
    old_hash = require_guide(store, "widget-co").content_hash
    write(tmp_path, "widget-co.md", V2)

    def killed(record: object) -> None:
        raise Killed

    monkeypatch.setattr(store, "activate", killed)
    with pytest.raises(Killed):
        ingest_file(store, path)

    # A new process opens the store: the new chunks were written, but nothing uses them.
    reopened = fresh_handle(make_store)
    assert require_guide(reopened, "widget-co").content_hash == old_hash
    hashes = {m["guide_hash"] for m in chunk_metas(reopened, "widget-co")}
    assert len(hashes) == 2, "the half-finished version's chunks are on disk"
    active = reopened.active_chunks()
    assert {meta["guide_hash"] for _, _, meta in active} == {old_hash}
    text = top_text(reopened, "What is the base salary in Lisbon?")
    assert "$100K–$120K" in text and "$130K" not in text
    assert "widget roadmap" in top_text(reopened, "roadmap depends on this role")

    # Re-running completes the update and clears the leftovers.
    result = ingest_file(reopened, path)
    assert result.status == "updated"
    new_hash = require_guide(reopened, "widget-co").content_hash
    assert {m["guide_hash"] for m in chunk_metas(reopened, "widget-co")} == {new_hash}
    assert "$130K–$150K" in top_text(reopened, "What is the base salary in Lisbon?")


def test_killed_midway_through_embedding_keeps_previous_version(
    tmp_path: Path, make_store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store()
    body = "\n\n".join(f"## Part {i}\n\nVersion one advice {i}." for i in range(EMBED_BATCH * 2))
    ingest_text(store, "long", "# Long\n\n" + body)
    old_hash = require_guide(store, "long").content_hash
    real_add = store.add_chunks
    batches: list[int] = []

    def dies_on_second_batch(texts: list[str], metas: list[dict], ids: list[str]) -> None:
        batches.append(len(texts))
        if len(batches) == 2:
            raise Killed
        real_add(texts, metas, ids)

    monkeypatch.setattr(store, "add_chunks", dies_on_second_batch)
    with pytest.raises(Killed):
        ingest_text(store, "long", "# Long\n\n" + body.replace("Version one", "Version two"))
    monkeypatch.undo()

    reopened = fresh_handle(make_store)
    assert require_guide(reopened, "long").content_hash == old_hash
    texts = [text for _, text, _ in reopened.active_chunks(["long"])]
    assert len(texts) == EMBED_BATCH * 2
    assert all("Version one" in t for t in texts)
    passages = HybridRetriever(reopened).retrieve("Version two advice 3", k=8)
    assert passages and all("Version one" in p.text for p in passages)

    result = ingest_text(
        reopened, "long", "# Long\n\n" + body.replace("Version one", "Version two")
    )
    assert result.status == "updated"
    assert all("Version two" in t for _, t, _ in reopened.active_chunks(["long"]))


def test_killed_first_ingest_leaves_nothing_visible_and_rerun_adds(
    tmp_path: Path, make_store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store()
    path = write(tmp_path, "widget-co.md", V1)
    monkeypatch.setattr(store, "activate", lambda record: (_ for _ in ()).throw(Killed()))
    with pytest.raises(Killed):
        ingest_file(store, path)
    reopened = fresh_handle(make_store)
    assert reopened.guides() == []
    assert HybridRetriever(reopened).retrieve("Lisbon base salary") == []
    assert ingest_file(reopened, path).status == "added"
    assert "$100K–$120K" in top_text(reopened, "Lisbon base salary")


def test_manifest_says_unchanged_but_chunks_missing_is_repaired(tmp_path: Path, store: Any) -> None:
    path = write(tmp_path, "widget-co.md", V1)
    ingest_file(store, path)
    store.vectors._collection.delete(where={"guide_id": "widget-co"})
    result = ingest_file(store, path)
    assert result.status == "updated"
    assert len(chunk_metas(store, "widget-co")) == result.chunks


# --- many files through the library -----------------------------------------------------------


def test_ingest_paths_reports_bad_files_and_stores_good_ones(tmp_path: Path, settings: Any) -> None:
    folder = tmp_path / "guides"
    folder.mkdir()
    write(folder, "widget-co.md", V1)
    (folder / "empty.md").write_bytes(b"")
    (folder / "latin.txt").write_bytes(b"caf\xe9 au lait " * 5)
    report = ingest_paths(settings, [folder, FIXTURE_GUIDES / "no-table.md"])
    assert sorted(r.guide_id for r in report.results) == ["no-table", "widget-co"]
    assert sorted(p.name for p, _ in report.failures) == ["empty.md", "latin.txt"]
    assert all("\n" not in message for _, message in report.failures)


def test_ingest_paths_with_no_guides_is_an_error(tmp_path: Path, settings: Any) -> None:
    with pytest.raises(InputError, match="No guide files"):
        ingest_paths(settings, [tmp_path])


def test_failed_file_never_removes_stored_guides(tmp_path: Path, settings: Any) -> None:
    good = write(tmp_path, "widget-co.md", V1)
    ingest_paths(settings, [good])
    good.write_bytes(b"")  # the user empties the file by mistake and ingests it again
    report = ingest_paths(settings, [good])
    assert report.failures and not report.results
    vectorstore._CLIENTS.clear()
    from coach.knowledge.library import open_store

    reopened = open_store(settings)
    assert [g.guide_id for g in reopened.guides()] == ["widget-co"]
    assert "$100K–$120K" in top_text(reopened, "Lisbon base")


def test_unknown_guide_id_lists_stored_ones(tmp_path: Path, store: Any) -> None:
    with pytest.raises(InputError, match="none yet"):
        require_guide(store, "nope")
    ingest_file(store, write(tmp_path, "widget-co.md", V1))
    with pytest.raises(CoachError, match=r"'nope'.*widget-co") as info:
        require_guide(store, "nope")
    assert "coach guides" in info.value.hint
