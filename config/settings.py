"""Typed settings: environment variables (prefix ZHENGQI_) over an optional TOML file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

CONFIG_DIR = Path(__file__).resolve().parent
PROJECT_DIR = CONFIG_DIR.parent
DEFAULT_CONFIG_FILE = Path("zhengqi.toml")


def _config_file() -> Path:
    return Path(os.environ.get("ZHENGQI_CONFIG_FILE", str(DEFAULT_CONFIG_FILE)))


class Settings(BaseSettings):
    """Every knob of the service. Precedence: arguments > environment > config file > defaults."""

    model_config = SettingsConfigDict(env_prefix="ZHENGQI_", extra="forbid")

    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{PROJECT_DIR / 'var' / 'zhengqi.db'}",
        description="SQLAlchemy URL: sqlite+aiosqlite:///path or postgresql+asyncpg://...",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    # None: decided by whether platform credentials are configured.
    demo: bool | None = None
    sim_enabled: bool | None = None
    # The deadline sweep and digests; turn off only where another process runs them.
    scheduler_enabled: bool = True
    log_level: str = "INFO"

    policy_file: Path = CONFIG_DIR / "policy.toml"
    holidays_file: Path = CONFIG_DIR / "holidays.toml"
    streets_file: Path = CONFIG_DIR / "streets.toml"
    departments_file: Path = CONFIG_DIR / "departments.toml"
    demo_roster_file: Path = CONFIG_DIR / "demo_roster.toml"
    # The classifier model the service uses; `zhengqi nlp retrain` rewrites it and the running
    # service picks it up without a restart. Starts as a copy of the shipped model.
    nlp_model_file: Path = PROJECT_DIR / "var" / "nlp_model.json"

    wecom_corp_id: str = ""
    wecom_agent_id: str = ""
    wecom_secret: str = ""
    wecom_token: str = ""
    wecom_encoding_aes_key: str = ""
    dingtalk_client_id: str = ""
    dingtalk_client_secret: str = ""

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if value.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + value[len("sqlite:///"):]
        if value.startswith(("postgresql://", "postgres://")):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=_config_file()))

    @property
    def has_wecom(self) -> bool:
        return bool(self.wecom_corp_id and self.wecom_secret)

    @property
    def has_dingtalk(self) -> bool:
        return bool(self.dingtalk_client_id and self.dingtalk_client_secret)

    @property
    def demo_mode(self) -> bool:
        """Demo (fictional roster + simulator) unless real platform credentials are set."""
        if self.demo is not None:
            return self.demo
        return not (self.has_wecom or self.has_dingtalk)

    @property
    def simulator_on(self) -> bool:
        # The simulator lets anyone act as anyone: only in demo mode unless enabled explicitly.
        return self.sim_enabled if self.sim_enabled is not None else self.demo_mode


def load_settings(**overrides: Any) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
