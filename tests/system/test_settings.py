"""Configuration precedence: CLI flag > environment > config file > default; secrets masked."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmore.cli.main import app
from llmore.settings import load_settings


def test_precedence_flag_over_env_over_file_over_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMORE_HOME", str(tmp_path))
    assert load_settings().port == 8000  # default
    (tmp_path / "config.yaml").write_text("port: 8100\nhost: 0.0.0.0\n")
    assert load_settings().port == 8100  # file
    monkeypatch.setenv("LLMORE_PORT", "8200")
    assert load_settings().port == 8200  # env beats file
    assert load_settings().host == "0.0.0.0"  # file still supplies what env does not
    assert load_settings(port=8300).port == 8300  # flag beats env


def test_default_database_is_sqlite_in_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMORE_HOME", str(tmp_path))
    assert load_settings().effective_database_url == f"sqlite:///{tmp_path / 'llmore.db'}"
    assert load_settings().effective_storage_url == (tmp_path / "store").as_uri()


def test_config_show_masks_secrets_and_database_passwords(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMORE_HOME", str(tmp_path))
    monkeypatch.setenv("LLMORE_SECRET_KEY", "very-secret-value")
    monkeypatch.setenv("LLMORE_DATABASE_URL", "postgresql+psycopg://llmore:db-password@db.internal/llmore")
    result = CliRunner().invoke(app, ["config", "show", "--json"])
    assert result.exit_code == 0, result.output
    assert "very-secret-value" not in result.output
    assert "db-password" not in result.output
    assert "postgresql+psycopg://llmore:***@db.internal/llmore" in result.output
    flagged = CliRunner().invoke(app, ["--database-url", "sqlite:////tmp/flag.db", "config", "show", "--json"])
    assert "sqlite:////tmp/flag.db" in flagged.output


def test_unknown_setting_in_the_config_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMORE_HOME", str(tmp_path))
    (tmp_path / "config.yaml").write_text("prot: 8100\n")
    with pytest.raises(ValueError, match="prot"):
        load_settings()
