"""The base of every input and output model: immutable, strict, and validated on every copy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    """An immutable pydantic model that refuses unknown fields and non-finite numbers.
    ``model_copy(update=...)`` validates the copy like new input, so a copy cannot hold what
    the constructor refuses."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy with ``update`` applied and validated (``ValidationError`` if invalid)."""
        if not update:
            return super().model_copy(deep=deep)
        values = {name: getattr(self, name) for name in type(self).model_fields}
        return self.model_validate(values | dict(update))
