"""Imagery provider settings and keys: from configuration files or the environment, never the command line.

Where settings come from (later wins for settings, the environment wins for secrets):

1. the user config ``$ARMSWATCH_PROVIDERS_FILE`` or ``$XDG_CONFIG_HOME/armswatch/providers.toml``
   (``~/.config/armswatch/providers.toml``), one ``[providers.NAME]`` table per provider;
2. the workspace file ``armswatch.toml``, same ``[providers.NAME]`` tables;
3. environment variables: ``PL_API_KEY`` (Planet), ``SH_CLIENT_ID`` / ``SH_CLIENT_SECRET`` (Sentinel Hub),
   and for any provider ``ARMSWATCH_<NAME>_<KEY>`` (e.g. ``ARMSWATCH_MAXAR_TOKEN``). A table may also name
   the variable that holds a secret: ``token_env = "MY_VAR"``.

A secret is held in a :class:`Secret`, whose ``repr``/``str`` never show it; :func:`redact` removes secrets
from any text (error messages, logs) before it is shown or stored. Nothing here contacts a provider.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from armswatch.errors import InputError

SECRET_KEYS = ("api_key", "token", "password", "client_secret", "client_id", "username")
"""Keys whose values are secrets (client ids are treated as secrets too: they identify an account)."""
KINDS = ("planet", "sentinelhub", "stac")
STANDARD_ENV = {
    "planet": {"api_key": "PL_API_KEY"},
    "sentinelhub": {"client_id": "SH_CLIENT_ID", "client_secret": "SH_CLIENT_SECRET"},
}
DEFAULT_KIND = {"planet": "planet", "sentinelhub": "sentinelhub"}


class Secret:
    """A credential value that does not print itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))


@dataclass(frozen=True)
class ProviderConfig:
    """One configured provider: its kind, plain settings and secrets, and where they came from."""

    name: str
    kind: str
    settings: dict[str, Any]
    secrets: dict[str, Secret] = field(repr=False)
    origins: tuple[str, ...] = ()

    def secret(self, key: str) -> str | None:
        s = self.secrets.get(key)
        return s.reveal() if s else None

    def require(self, *keys: str) -> list[str]:
        """The revealed secrets, or an input error naming where to put the missing ones."""
        missing = [k for k in keys if not self.secret(k)]
        if missing:
            env = [STANDARD_ENV.get(self.kind, {}).get(k) or env_name(self.name, k) for k in missing]
            raise InputError(
                f"provider {self.name!r} needs {', '.join(missing)}: set {' / '.join(env)} or add them to "
                f"[providers.{self.name}] in armswatch.toml or the user providers.toml (never on the command line)"
            )
        return [self.secret(k) or "" for k in keys]

    def row(self) -> dict[str, Any]:
        """A listing row that shows which secrets are set, never their values."""
        return {
            "provider": self.name,
            "kind": self.kind,
            "url": self.settings.get("url") or self.settings.get("base_url"),
            "collection": self.settings.get("collection") or self.settings.get("item_type"),
            "auth": self.settings.get("auth") or ("api key" if self.kind == "planet" else "oauth client"
                                                  if self.kind == "sentinelhub" else "none"),
            "secrets": ", ".join(f"{k}=set" for k in sorted(self.secrets)) or "none",
            "from": ", ".join(self.origins),
        }  # fmt: skip

    def redact(self, text: str) -> str:
        return redact(text, self.secrets.values())


def env_name(provider: str, key: str) -> str:
    return f"ARMSWATCH_{provider.upper().replace('-', '_')}_{key.upper()}"


def redact(text: str, secrets: Iterable[Secret]) -> str:
    """``text`` with every secret value (at least 4 characters) replaced by ``***``."""
    for s in secrets:
        value = s.reveal()
        if len(value) >= 4:
            text = text.replace(value, "***")
    return text


def user_config_path() -> Path:
    explicit = os.environ.get("ARMSWATCH_PROVIDERS_FILE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "armswatch" / "providers.toml"


def _tables(path: Path) -> dict[str, dict[str, Any]]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"malformed TOML: {exc}", path=str(path)) from exc
    providers = data.get("providers", {})
    if not isinstance(providers, dict) or not all(isinstance(v, dict) for v in providers.values()):
        raise InputError(
            "[providers] must hold one table per provider, e.g. [providers.planet]", path=str(path)
        )
    return {str(k): dict(v) for k, v in providers.items()}


def load_providers(
    workspace_root: Path | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, ProviderConfig]:
    """Every provider configured in the user config, the workspace or the environment."""
    env = os.environ if environ is None else environ
    sources: list[tuple[str, dict[str, dict[str, Any]]]] = [("user config", _tables(user_config_path()))]
    if workspace_root is not None:
        sources.append(("workspace", _tables(workspace_root / "armswatch.toml")))
    merged: dict[str, dict[str, Any]] = {}
    origins: dict[str, list[str]] = {}
    for label, tables in sources:
        for name, table in tables.items():
            merged.setdefault(name, {}).update(table)
            origins.setdefault(name, []).append(label)
    for name, keys in STANDARD_ENV.items():
        if any(env.get(v) for v in keys.values()):
            merged.setdefault(name, {})
            origins.setdefault(name, []).append("environment")
    out: dict[str, ProviderConfig] = {}
    for name, table in merged.items():
        kind = str(table.get("kind") or DEFAULT_KIND.get(name) or "")
        if kind not in KINDS:
            raise InputError(f"provider {name!r}: kind must be one of {', '.join(KINDS)} (got {kind!r})")
        secrets: dict[str, Secret] = {}
        for key in SECRET_KEYS:
            value = (
                env.get(env_name(name, key))
                or (env.get(str(table[f"{key}_env"])) if f"{key}_env" in table else None)
                or env.get(STANDARD_ENV.get(kind, {}).get(key, "\0"))
                or table.get(key)
            )
            if value:
                secrets[key] = Secret(str(value))
        settings = {k: v for k, v in table.items() if k not in SECRET_KEYS and not k.endswith("_env")}
        out[name] = ProviderConfig(name, kind, settings, secrets, tuple(dict.fromkeys(origins.get(name, []))))
    return out


def get_provider(name: str, workspace_root: Path | None = None) -> ProviderConfig:
    providers = load_providers(workspace_root)
    if name not in providers:
        known = ", ".join(sorted(providers)) or "none configured"
        raise InputError(
            f"unknown imagery provider {name!r} ({known}); add [providers.{name}] to armswatch.toml or "
            f"{user_config_path()}, or set its environment variables"
        )
    return providers[name]
