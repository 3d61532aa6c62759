from __future__ import annotations

from pathlib import Path

import pytest

from newsarchive.config import default_cache_dir, default_config_file, load_config, parse_size
from newsarchive.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_known_keys(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'user_agent = "UA/1"\ntimeout = 5\nmax_size = "2MB"\ntemplate = "{slug}.md"\n'
        'archive = "~/news"\n',
    )
    config = load_config(path)
    assert config["user_agent"] == "UA/1"
    assert config["timeout"] == 5
    assert config["max_size"] == 2 * 1024 * 1024
    assert config["template"] == "{slug}.md"
    assert config["archive"] == str(Path("~/news").expanduser())


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'user_agnet'"):
        load_config(write(tmp_path, 'user_agnet = "x"\n'))


def test_wrong_type_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="timeout has the wrong type"):
        load_config(write(tmp_path, "timeout = true\n"))


def test_invalid_toml_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(write(tmp_path, "timeout = = 3\n"))


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


def test_default_file_may_be_absent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSARCHIVE_CONFIG", str(tmp_path / "absent.toml"))
    assert default_config_file() == tmp_path / "absent.toml"
    assert load_config() == {}


def test_cache_dir_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSARCHIVE_CACHE_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path


@pytest.mark.parametrize(
    ("text", "size"),
    [("20MB", 20 * 1024**2), ("512k", 512 * 1024), ("1.5G", int(1.5 * 1024**3)), ("100", 100)],
)
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "MB", "-1", "0", "ten"])
def test_parse_size_rejects(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_size(text)
