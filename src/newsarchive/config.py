"""User configuration (a TOML file) and the per-user directories newsarchive uses.

The config file holds defaults for command-line options, one key per option:

    archive = "~/news/archive"
    user_agent = "Mozilla/5.0 (research archive; me@example.org)"
    timeout = 20
    max_size = "50MB"
    proxy = "http://127.0.0.1:3128"
    cookies = "~/cookies.txt"
    template = "{date:%Y}/{site}/{slug}.md"
    wayback = true                  # --wayback by default (--no-wayback turns it off)
    wayback_url = "https://web.archive.org"
    images = false                  # --no-images by default
    max_image_size = "20MB"

Options given on the command line or through environment variables win over the file.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

import platformdirs

from newsarchive.errors import ConfigError

APP_NAME = "newsarchive"

# key -> accepted Python types; everything else in the file is an error, so typos are caught.
CONFIG_KEYS: dict[str, tuple[type, ...]] = {
    "archive": (str,),
    "user_agent": (str,),
    "timeout": (int, float),
    "max_size": (int, str),
    "max_redirects": (int,),
    "proxy": (str,),
    "cookies": (str,),
    "template": (str,),
    "captures": (str,),
    "wayback": (bool,),
    "wayback_url": (str,),
    "save_to_wayback": (bool,),
    "images": (bool,),
    "max_image_size": (int, str),
    "max_image_total": (int, str),
    "concurrency": (int,),
    "per_host": (int,),
    "delay": (int, float),
    "throttle": (bool,),
    "jobs": (int,),
    "capture": (bool,),
}
SIZE_KEYS = {"max_size", "max_image_size", "max_image_total"}
PATH_KEYS = {"archive", "cookies", "captures"}

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def default_config_file() -> Path:
    """The config file read when no --config is given (it need not exist)."""
    env = os.environ.get("NEWSARCHIVE_CONFIG")
    if env:
        return Path(env).expanduser()
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def default_cache_dir() -> Path:
    """Where derived data (indexes) lives: outside the archive, so `grep -r` never sees it."""
    env = os.environ.get("NEWSARCHIVE_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    return platformdirs.user_cache_path(APP_NAME)


def load_config(path: Path | None = None) -> dict[str, Any]:
    """Read and validate a config file.

    With `path` None the default file is used and may be absent; an explicit path must exist.
    """
    explicit = path is not None
    file = path if path is not None else default_config_file()
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if explicit:
            raise ConfigError(f"{file}: config file not found") from None
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read config file ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: invalid TOML ({exc})") from exc
    config: dict[str, Any] = {}
    for key, value in data.items():
        types = CONFIG_KEYS.get(key)
        if types is None:
            known = ", ".join(sorted(CONFIG_KEYS))
            raise ConfigError(f"{file}: unknown key {key!r} (known keys: {known})")
        # bool is an int subclass; "timeout = true" is a mistake, not a number.
        if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
            raise ConfigError(f"{file}: {key} has the wrong type ({type(value).__name__})")
        if key in PATH_KEYS:
            value = str(Path(str(value)).expanduser())
        if key in SIZE_KEYS:
            value = parse_size(value)
        config[key] = value
    return config


def parse_size(value: int | str) -> int:
    """'20MB', '512k', '1.5G' or a plain number of bytes -> bytes (binary multiples)."""
    if isinstance(value, int):
        if value <= 0:
            raise ConfigError(f"size must be positive, not {value}")
        return value
    match = _SIZE.match(value)
    if not match:
        raise ConfigError(f"not a size: {value!r} (try 20MB, 512KB, 1GB)")
    number, unit = match.groups()
    size = int(float(number) * _UNITS[(unit or "").lower()[:1]])
    if size <= 0:
        raise ConfigError(f"size must be positive, not {value!r}")
    return size
