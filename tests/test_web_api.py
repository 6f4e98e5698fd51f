"""The web API (``coach.web``) on the fake provider, driven in-process by Starlette's client.

Each test gets its own data folder with the bundled guides ingested (real offline
embeddings, the deterministic fake chat model), so uploads, profiles and the role-play
history never leak between tests.
"""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from coach.knowledge.ingest import MAX_BYTES
from coach.web import create_app
from coach.web.generation import GenerationQueue
from coach.web.security import check_bind, is_loopback

CEREBRAS = "cerebras-ml-ai-engineer"
LOCAL = "http://127.0.0.1"


def make_client(settings: Any, store: Any, token: str = "", base_url: str = LOCAL) -> TestClient:
    app = create_app(settings, token=token, store=store)
    return TestClient(app, base_url=base_url, raise_server_exceptions=False)


@pytest.fixture
def client(settings: Any, guides_store: Any) -> Iterator[TestClient]:
    with make_client(settings, guides_store) as c:
        yield c


def events(text: str) -> list[tuple[str, Any]]:
    """Parse a text/event-stream body into (event, data) pairs."""
    found = []
    for block in text.split("\n\n"):
        name, data = "message", ""
        for line in block.splitlines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data += line[6:]
        if data:
            found.append((name, json.loads(data)))
    return found


def assert_error(response: Any, status: int, *words: str) -> dict[str, str]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "hint"} and body["error"]
    for word in words:
        assert word in body["error"] + " " + body["hint"]
    return body


# -- answers -----------------------------------------------------------------------------


def test_ask_returns_the_cli_json(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": "What should I counter with?"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"answer", "citations", "figures", "grounded", "provider", "model"}
    assert "$268K" in body["answer"] and body["grounded"] is True
    assert body["provider"] == "fake"
    assert body["citations"][0]["guide"] == CEREBRAS
    assert "$268K" in body["citations"][0]["text"]


def test_ask_stream_sends_guarded_chunks_then_the_answer(client: TestClient) -> None:
    question = {"question": "What is the base salary range for Remote US?"}
    response = client.post("/api/ask/stream", json=question)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    got = events(response.text)
    names = [name for name, _ in got]
    assert names[0] == "start" and names[-1] == "answer" and names.count("chunk") > 1
    streamed = "".join(data["text"] for name, data in got if name == "chunk")
    final = got[-1][1]
    assert streamed.strip() == final["answer"]
    assert "$208K–$262K" in final["answer"]
    assert final["citations"] and final["citations"][0]["text"]
    assert final == client.post("/api/ask", json=question).json()


def test_unknown_guide_is_404_with_the_library_line(client: TestClient) -> None:
    for method, path, body in (
        ("post", "/api/ask", {"question": "hi", "guide": "nope"}),
        ("post", "/api/ask/stream", {"question": "hi", "guide": "nope"}),
        ("post", "/api/counter", {"region": "Sunnyvale", "base": "240k", "guide": "nope"}),
        ("post", "/api/chat", {"guide": "nope"}),
        ("post", "/api/roleplay", {"guide": "nope"}),
    ):
        response = getattr(client, method)(path, json=body)
        assert_error(response, 404, "No guide with id 'nope'", CEREBRAS)
    assert_error(client.get("/api/playbook", params={"guide": "nope"}), 404, "'nope'")


def test_missing_fields_and_bad_json_are_422(client: TestClient) -> None:
    assert_error(client.post("/api/ask", json={}), 422, "Missing field 'question'")
    assert_error(client.post("/api/ask", json={"question": "  "}), 422, "question")
    assert_error(client.post("/api/ask", json={"question": "x", "extra": 1}), 422, "extra")
    bad = client.post(
        "/api/ask", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_error(bad, 422, "not valid JSON")
    assert_error(client.post("/api/roleplay", json={"persona": "shouty"}), 422, "persona")


def test_counter_matches_the_engine(client: TestClient) -> None:
    body = client.post("/api/counter", json={"region": "Sunnyvale", "base": "240k"}).json()
    assert body["verdict"] == "below_walk_away"
    assert body["offer"] == {"base": 240000}
    assert body["counter"]["base"] == 268000
    assert body["grounded"] is True and "$268K" in body["message"]
    numeric = client.post("/api/counter", json={"region": "Sunnyvale", "base": 240000}).json()
    assert numeric["verdict"] == body["verdict"]


def test_counter_errors(client: TestClient) -> None:
    assert_error(
        client.post("/api/counter", json={"region": "Sunnyvale", "base": "lots"}),
        400,
        "'lots' is not an amount",
    )
    assert_error(client.post("/api/counter", json={"region": "Sunnyvale"}), 400, "No offer")
    assert_error(client.post("/api/counter", json={"base": "240k"}), 400, "No region")
    assert_error(
        client.post("/api/counter", json={"region": "Atlantis", "base": "240k"}), 400, "Atlantis"
    )


def test_queue_status(client: TestClient) -> None:
    assert client.get("/api/queue").json() == {"busy": False, "waiting": 0}


# -- guides, playbook, profile -------------------------------------------------------------


def test_guides_and_playbook(client: TestClient) -> None:
    guides = client.get("/api/guides").json()
    assert {g["id"] for g in guides} == {CEREBRAS, "negotiation-fundamentals"}
    book = client.get("/api/playbook").json()
    assert book["guide"] == CEREBRAS
    assert "Sunnyvale" in [b["region"] for b in book["bands"]]
    assert client.get("/api/playbook", params={"guide": CEREBRAS}).json() == book


GUIDE = "# Acme Staff Engineer\n\n| Region | Base |\n| --- | --- |\n| Denver | $180K–$220K |\n"


def upload(client: TestClient, name: str, data: bytes, **headers: str) -> Any:
    return client.post("/api/guides", content=data, headers={"X-Filename": name, **headers})


def test_upload_stores_a_guide_inside_the_data_folder(client: TestClient, coach_home: Path) -> None:
    response = upload(client, "acme-staff.md", GUIDE.encode())
    assert response.status_code == 201, response.text
    assert response.json() == {
        "guide_id": "acme-staff",
        "title": "Acme Staff Engineer",
        "status": "added",
        "chunks": response.json()["chunks"],
    }
    assert (coach_home / "uploads" / "acme-staff.md").read_text() == GUIDE
    assert "acme-staff" in {g["id"] for g in client.get("/api/guides").json()}
    again = upload(client, "acme-staff.md", GUIDE.encode())
    assert again.json()["status"] == "unchanged"
    # Nothing is left behind in the staging area.
    assert [p.name for p in (coach_home / "uploads").iterdir()] == ["acme-staff.md"]


def test_upload_cannot_escape_the_data_folder(
    client: TestClient, coach_home: Path, tmp_path: Path
) -> None:
    for name in ("../../escape.md", "/tmp/escape.md", "..\\..\\escape.md", "sub/../../escape.md"):
        response = upload(client, name, GUIDE.encode())
        assert response.status_code == 201, response.text
        assert response.json()["guide_id"] == "escape"
    written = [p for p in tmp_path.rglob("escape.md")]
    assert written == [coach_home / "uploads" / "escape.md"]
    assert not Path("/tmp/escape.md").exists() or Path("/tmp/escape.md").stat().st_size != len(
        GUIDE
    )
    assert_error(upload(client, "..", GUIDE.encode()), 400, "file name")


@pytest.mark.parametrize(
    ("name", "data", "status", "line"),
    [
        ("empty.md", b"", 400, "empty.md is empty."),
        ("tool.md", b"\x7fELF\x00\x00binary", 400, "tool.md looks like a binary file"),
        ("latin.md", "caf\xe9 ".encode("latin-1") * 5, 400, "latin.md is not UTF-8 text"),
        ("offer.pdf", b"%PDF-1.4 text", 400, "offer.pdf is not a guide file"),
        ("blank.txt", b"   \n\n  ", 400, "blank.txt has no readable text"),
    ],
)
def test_upload_refusals_are_the_ingest_lines(
    client: TestClient, coach_home: Path, name: str, data: bytes, status: int, line: str
) -> None:
    assert_error(upload(client, name, data), status, line)
    assert not (coach_home / "uploads" / name).exists()
    assert not list((coach_home / "uploads").glob(".incoming-*"))


def test_upload_too_big_is_413_and_never_stored(client: TestClient, coach_home: Path) -> None:
    big = b"# Big\n" + b"a" * (MAX_BYTES + 10)
    body = assert_error(upload(client, "big.md", big), 413, "big.md is 2.0 MB", "limited to 2 MB")
    assert "Split it" in body["hint"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        for _ in range(5):
            yield b"b" * (MAX_BYTES // 4)

    assert_error(upload(client, "streamed.md", chunks()), 413, "limited to 2 MB")
    assert not list((coach_home / "uploads").rglob("*.md"))


def test_upload_needs_a_file_name(client: TestClient) -> None:
    assert_error(client.post("/api/guides", content=GUIDE.encode()), 422, "x-filename")


def test_profile_get_set_clear(client: TestClient, coach_home: Path) -> None:
    assert client.get("/api/profile").json()["region"] == ""
    updated = client.put(
        "/api/profile", json={"region": "Sunnyvale", "walk_away_base": "255k"}
    ).json()
    assert updated["region"] == "Sunnyvale" and updated["walk_away"] == {"base": 255000.0}
    assert client.get("/api/profile").json() == updated
    assert "255000" in (coach_home / "profile.yaml").read_text()
    # The profile's region and walk-away now drive the counter.
    counter = client.post("/api/counter", json={"base": "250k"}).json()
    assert counter["region"] == "Sunnyvale" and counter["walk_away"]["base"] == 255000
    assert_error(client.put("/api/profile", json={"target_base": "a lot"}), 400, "'a lot'")
    assert client.delete("/api/profile").json()["walk_away"] == {}


# -- chat ------------------------------------------------------------------------------------


def test_chat_keeps_the_dialogue_state(client: TestClient) -> None:
    started = client.post("/api/chat", json={})
    assert started.status_code == 201
    sid = started.json()["id"]
    first = client.post(f"/api/chat/{sid}", json={"message": "They offered me 250k in Sunnyvale"})
    assert first.status_code == 200
    assert first.json()["state"]["region"] == "Sunnyvale"
    assert first.json()["state"]["offer"] == {"base": 250000.0}
    # "is that good?" leans on the state: the offer and region said before.
    second = client.post(f"/api/chat/{sid}", json={"message": "is that good?", "stream": True})
    got = events(second.text)
    final = got[-1]
    assert final[0] == "answer", got
    assert "$250K" in final[1]["answer"] and final[1]["verdict"]
    state = client.get(f"/api/chat/{sid}/state").json()
    assert state["state"]["offer"] == {"base": 250000.0}
    assert "Sunnyvale" in state["described"]
    corrected = client.post(f"/api/chat/{sid}/state", json={"command": "region Remote US"}).json()
    assert corrected["state"]["region"] == "Remote US"
    assert (
        client.post(f"/api/chat/{sid}/state", json={"command": "clear"}).json()["state"]["offer"]
        == {}
    )


def test_unknown_chat_is_404(client: TestClient) -> None:
    assert_error(client.post("/api/chat/nope", json={"message": "hi"}), 404, "No open chat")
    assert_error(client.get("/api/chat/nope/state"), 404, "POST /api/chat")


# -- role-play -------------------------------------------------------------------------------

SECRET_KEYS = {"hidden", "maximum", "seed", "schedule", "plan", "events"}


def keys_of(data: Any) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in keys_of(v)}
    if isinstance(data, list):
        return {k for v in data for k in keys_of(v)}
    return set()


def test_roleplay_keeps_the_plan_secret_until_the_debrief(client: TestClient) -> None:
    shown: list[Any] = []
    start = client.post("/api/roleplay", json={"persona": "firm", "region": "Sunnyvale"})
    assert start.status_code == 201
    shown.append(start.json())
    sid = start.json()["id"]
    assert start.json()["turn"]["text"] and start.json()["region"] == "Sunnyvale"
    lines = ["I was hoping for 280k base given my experience.", "Can you do 275k?"]
    for line in lines:
        reply = client.post(f"/api/roleplay/{sid}/say", json={"text": line})
        assert reply.status_code == 200
        shown.append(reply.json())
    shown.append(client.post(f"/api/roleplay/{sid}/hint").json())
    shown.append(client.get(f"/api/roleplay/{sid}").json())
    shown.append(client.get("/api/history").json())
    history_id = client.get("/api/history").json()[0]["id"]
    shown.append(client.get(f"/api/history/{history_id}").json())

    session = client.app.state.coach.sessions.load_roleplay(sid)  # type: ignore[attr-defined]
    maximum = session.plan.maximum["base"]
    offered = {
        t["offer"]["base"]
        for t in session.transcript
        if t.offer and "base" in t.offer
        for t in [t.__dict__]
    }
    for response in shown:
        found = keys_of(response) & SECRET_KEYS
        # History records carry the keys, but empty until the session has ended.
        if found:
            flat = response if isinstance(response, list) else [response]
            for record in flat:
                assert record.get("seed") is None and record.get("hidden") is None, record
        if maximum not in offered:
            text = json.dumps(response)
            assert f"{maximum:.0f}" not in text and f"${maximum / 1000:.0f}K" not in text

    debrief = client.post(f"/api/roleplay/{sid}/end").json()
    assert debrief["hidden"]["maximum"]["base"] == maximum
    assert debrief["hidden"]["seed"] == session.seed
    assert [t["text"] for t in debrief["transcript"] if t["role"] == "candidate"] == lines
    assert 0 <= debrief["scorecard"]["score"] <= 100
    assert debrief["scorecard"]["criteria"]
    # Now the history shows the finished session, plan and all.
    record = client.get(f"/api/history/{history_id}").json()
    assert record["hidden"]["maximum"]["base"] == maximum and record["seed"] == session.seed
    assert [p["score"] for p in client.get("/api/progress").json()] == [
        debrief["scorecard"]["score"]
    ]


def test_roleplay_errors(client: TestClient) -> None:
    assert_error(client.post("/api/roleplay", json={"region": "Atlantis"}), 400, "Atlantis")
    assert_error(client.post("/api/roleplay/nope/say", json={"text": "hi"}), 404, "role-play")
    assert_error(client.post("/api/roleplay/nope/end"), 404, "POST /api/roleplay")
    assert_error(client.get("/api/history/999"), 404, "No practice session with id 999")


# -- safety ----------------------------------------------------------------------------------


def test_a_token_guards_every_api_call(settings: Any, guides_store: Any) -> None:
    with make_client(settings, guides_store, token="s3cret", base_url="http://192.0.2.7") as c:
        assert_error(c.get("/api/guides"), 401, "needs a token", "Bearer")
        wrong = c.get("/api/guides", headers={"Authorization": "Bearer nope"})
        assert_error(wrong, 401)
        assert wrong.headers["www-authenticate"] == "Bearer"
        assert_error(c.post("/api/ask", json={"question": "hi"}), 401)
        ok = c.get("/api/guides", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200 and ok.json()
        # The page holds no data: it loads, and asks for the token itself.
        assert c.get("/").status_code == 200
        assert c.get("/openapi.json").status_code == 200


def test_loopback_server_answers_only_loopback_names(settings: Any, guides_store: Any) -> None:
    with make_client(settings, guides_store, base_url="http://evil.example") as c:
        assert_error(c.get("/api/guides"), 403, "only on this machine")
    with make_client(settings, guides_store, base_url="http://localhost:8765") as c:
        assert c.get("/api/guides").status_code == 200


def test_other_sites_cannot_post(client: TestClient) -> None:
    foreign = client.post("/api/profile", json={}, headers={"Origin": "http://evil.example"})
    assert_error(foreign, 403, "http://evil.example")
    same = client.put("/api/profile", json={}, headers={"Origin": LOCAL})
    assert same.status_code == 200


def test_request_bodies_are_bounded(client: TestClient) -> None:
    huge = {"question": "x" * 70_000}
    assert_error(client.post("/api/ask", json=huge), 413, "over 64 KB")
    assert_error(client.post("/api/ask", json={"question": "x" * 2001}), 422, "question")


def test_binding_beyond_loopback_needs_a_token(capfd: pytest.CaptureFixture[str]) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")
    check_bind("127.0.0.1", "")
    check_bind("0.0.0.0", "tok")
    with pytest.raises(Exception, match="without a token"):
        check_bind("0.0.0.0", "")
    from coach.cli import main

    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert "--token" in capfd.readouterr().err


def test_info_logs_hold_no_guide_text_or_numbers(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        client.post("/api/counter", json={"region": "Sunnyvale", "base": "243k"})
        client.put("/api/profile", json={"walk_away_base": "251k"})
        upload(client, "secret-guide.md", b"# Secret\n\nThe magic number is $123,456.\n")
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    assert "POST /api/counter 200" in logged
    for private in ("243", "251", "123,456", "magic number", "secret-guide"):
        assert private not in logged


def test_openapi_and_page(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/ask",
        "/api/ask/stream",
        "/api/counter",
        "/api/guides",
        "/api/playbook",
        "/api/profile",
        "/api/chat",
        "/api/chat/{sid}",
        "/api/chat/{sid}/state",
        "/api/roleplay",
        "/api/roleplay/{sid}/say",
        "/api/roleplay/{sid}/hint",
        "/api/roleplay/{sid}/end",
        "/api/history",
        "/api/progress",
    ):
        assert path in paths
    page = client.get("/")
    assert page.status_code == 200 and '<form id="chat-form"' in page.text
    for asset in ("/static/app.js", "/static/style.css"):
        assert client.get(asset).status_code == 200
    # Offline: nothing is loaded from another server.
    for text in (page.text, client.get("/static/app.js").text):
        assert "https://" not in text and "http://" not in text
    assert client.get("/static/../app.py").status_code == 404


def test_help_does_not_import_the_web_stack() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "coach.cli", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines()}
    assert not imported & {"fastapi", "uvicorn", "starlette", "coach"} - {"coach"}


# -- the model queue -------------------------------------------------------------------------


def test_queue_is_first_come_first_served_and_drops_leavers() -> None:
    async def scenario() -> list[str]:
        queue = GenerationQueue()
        order: list[str] = []
        first = queue.join()
        second, third, fourth = queue.join(), queue.join(), queue.join()
        assert (second.position, third.position, fourth.position) == (1, 2, 3)
        third.leave()  # a closed tab: it leaves the line
        assert fourth.position == 2 and queue.waiting == 2

        async def run(name: str, ticket: Any) -> None:
            await ticket.wait(5)
            order.append(name)
            await queue.call(ticket, lambda: None)

        tasks = [asyncio.create_task(run(n, t)) for n, t in (("4", fourth), ("2", second))]
        await asyncio.sleep(0.05)
        assert order == []  # the first holder still has the model
        await queue.call(first, lambda: None)
        await asyncio.gather(*tasks)
        assert not queue.busy and queue.waiting == 0
        queue.close()
        return order

    assert asyncio.run(scenario()) == ["2", "4"]


def test_closing_a_stream_stops_the_generator() -> None:
    closed: list[bool] = []

    def pieces() -> Iterator[str]:
        try:
            for n in range(1000):
                yield f"{n} "
        finally:
            closed.append(True)

    async def scenario() -> list[str]:
        queue = GenerationQueue()
        ticket = queue.join()

        async def never_gone() -> bool:
            return False

        got = []
        stream = queue.stream(ticket, pieces, never_gone)
        async for piece in stream:
            got.append(piece)
            if len(got) == 3:
                break
        await stream.aclose()  # type: ignore[attr-defined]
        for _ in range(100):  # the worker stops at its next piece and frees the model
            if not queue.busy:
                break
            await asyncio.sleep(0.01)
        assert not queue.busy
        queue.close()
        return got

    assert asyncio.run(scenario()) == ["0 ", "1 ", "2 "]
    assert closed == [True]
