"""Tests for coach.config: env vars, overrides, and clear errors for bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.config import DEFAULT_OPENAI_MODEL, PROVIDERS, Settings, default_home, load_settings
from coach.errors import InputError


def test_defaults_come_from_the_isolated_environment(coach_home: Path) -> None:
    settings = load_settings()
    assert settings.home == coach_home
    assert settings.provider == "fake"
    assert settings.embeddings == "local"
    assert settings.chroma_host == "" and settings.chroma_port == 8000
    assert settings.chroma_dir == coach_home / "chroma"
    assert settings.models_dir == coach_home / "models"
    assert settings.history_db == coach_home / "history.sqlite3"


def test_coach_home_expands_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_HOME", "~/coach-data")
    assert default_home() == Path("~/coach-data").expanduser()


def test_without_coach_home_a_per_user_folder_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COACH_HOME")
    home = default_home()
    assert home.is_absolute() and home.name == "coach"


@pytest.mark.parametrize("provider", ["gpt", "Local", "ollama", "openai_compatible"])
def test_unknown_provider_is_one_clear_error(
    provider: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_PROVIDER", provider)
    with pytest.raises(InputError) as info:
        load_settings()
    line = info.value.one_line()
    assert f"Unknown provider {provider!r}" in line
    assert ", ".join(PROVIDERS) in line
    assert "\n" not in line


def test_unknown_provider_flag_is_rejected_too() -> None:
    with pytest.raises(InputError, match="Unknown provider 'bogus'"):
        load_settings(provider="bogus")


def test_blank_provider_means_local(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_PROVIDER", "  ")
    assert load_settings().provider == "local"


@pytest.mark.parametrize("port", ["abc", "80a", "", "8000.5", "port"])
def test_garbage_chroma_port_is_one_clear_error(port: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMA_PORT", port)
    with pytest.raises(InputError) as info:
        load_settings()
    assert f"CHROMA_PORT must be a port number, got {port!r}" in info.value.one_line()
    assert "CHROMA_PORT=8000" in info.value.hint


def test_chroma_host_and_port_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", " 8123 ")
    settings = load_settings()
    assert (settings.chroma_host, settings.chroma_port) == ("127.0.0.1", 8123)


def test_flags_override_env_and_empty_flags_do_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_MODEL", "env-model")
    monkeypatch.setenv("COACH_BASE_URL", "http://env/v1")
    settings = load_settings(provider="openai-compatible", model="", base_url=None, verbose=True)
    assert settings.provider == "openai-compatible"
    assert settings.model == "env-model" and settings.base_url == "http://env/v1"
    assert settings.verbose is True
    assert load_settings(model="flag-model").model == "flag-model"


def test_openai_base_url_is_a_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://openai-base/v1")
    assert load_settings().base_url == "http://openai-base/v1"
    monkeypatch.setenv("COACH_BASE_URL", "http://coach-base/v1")
    assert load_settings().base_url == "http://coach-base/v1"


def test_model_path_and_key_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COACH_MODEL_PATH", str(tmp_path / "mine.gguf"))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    settings = load_settings(provider="local")
    assert settings.model_path == tmp_path / "mine.gguf"
    assert settings.api_key == "sk-test"
    assert settings.model_label == "mine.gguf"


@pytest.mark.parametrize(
    ("provider", "model", "label"),
    [
        ("local", "", "qwen2.5-coder-1.5b-instruct-q4_k_m"),
        ("fake", "whatever", "fake"),
        ("openai", "", DEFAULT_OPENAI_MODEL),
        ("openai", "gpt-4.1", "gpt-4.1"),
        ("openai-compatible", "llama3", "llama3"),
    ],
)
def test_model_label(provider: str, model: str, label: str) -> None:
    assert Settings(home=Path("/x"), provider=provider, model=model).model_label == label


@pytest.mark.parametrize(
    ("provider", "embeddings"),
    [("local", "local"), ("fake", "local"), ("openai-compatible", "local"), ("openai", "openai")],
)
def test_embeddings_follow_the_provider_from_env(
    provider: str, embeddings: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_PROVIDER", provider)
    assert load_settings().embeddings == embeddings


def test_explicit_embeddings_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_PROVIDER", "openai")
    monkeypatch.setenv("COACH_EMBEDDINGS", "local")
    assert load_settings().embeddings == "local"


@pytest.mark.parametrize(
    ("env", "flag", "expected"), [("local", "openai", "openai"), ("openai", "fake", "local")]
)
def test_embeddings_follow_the_provider_flag(
    env: str, flag: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_PROVIDER", env)
    assert load_settings(provider=flag).embeddings == expected


def test_with_overrides_ignores_none_and_empty() -> None:
    base = Settings(home=Path("/x"), provider="fake", model="m")
    assert base.with_overrides(model=None, provider="") == base
    assert base.with_overrides(model="n").model == "n"
