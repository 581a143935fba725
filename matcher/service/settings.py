"""The service's configuration: environment variables prefixed ``MATCHER_`` (or a ``.env``
file), each with a default that works on a fresh machine."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """How ``matcher serve`` and ``matcher worker`` run."""

    model_config = SettingsConfigDict(env_prefix="MATCHER_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("matcher-data"),
        description="where the default SQLite database lives (created on first start)",
    )
    database_url: str | None = Field(
        default=None,
        description="sqlite:///path or postgresql+psycopg://user@host/db (default: SQLite in "
        "data_dir)",
    )
    max_body_bytes: int = Field(
        default=20_000_000, ge=1_000, description="the largest request body accepted"
    )
    rate_per_minute: int = Field(
        default=6_000, ge=1, description="requests per minute per API key before 429"
    )
    dask_scheduler: str | None = Field(
        default=None, description="address of a Dask scheduler for simulations (tcp://host:8786)"
    )
    callback_private_networks: bool = Field(
        default=False,
        description="let callbacks go to private, loopback and link-local addresses, and over "
        "plain http (for a receiver inside the operator's own network)",
    )
    erase_pepper: str = Field(
        default="matcher",
        description="the key of the hash that replaces an erased family's id in the audit log",
    )

    tile_url: str | None = Field(
        default=None,
        pattern=r"^https://[A-Za-z0-9.-]+(:[0-9]+)?/\S*$",
        description="a map tile server the round's map draws on, as "
        "https://tiles.example.nl/{z}/{x}/{y}.png (default: none, the outline of the "
        "Netherlands only, nothing loaded from elsewhere)",
    )

    def tile_origin(self) -> str | None:
        """The origin of the tile server (for the pages' security policy), if one is named."""
        if self.tile_url is None:
            return None
        scheme, _, rest = self.tile_url.partition("://")
        return f"{scheme}://{rest.split('/', 1)[0]}"

    def url(self) -> str:
        """The database URL, making the data folder when the default SQLite database is used."""
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.data_dir / 'matcher.db').resolve()}"
