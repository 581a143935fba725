"""Random rounds for oracle tests: people scattered around HOME with random attributes."""

from __future__ import annotations

import numpy as np
from builders import family, round_of, volunteer

from matcher import Round
from matcher.domain.slots import SLOT_NAMES
from matcher.domain.vocab import AgeGroup, Theme

LANGUAGES = ("ar", "tr", "pl", "en")


def random_round(
    seed: int,
    volunteers: int,
    families: int,
    max_capacity: int = 1,
    slot_pool: int = 21,
    all_free: bool = False,
) -> Round:
    """A random round; ``all_free`` makes everyone free all week (slots never bind)."""
    rng = np.random.default_rng(seed)
    pool = list(SLOT_NAMES[:slot_pool])

    def slots() -> list[str]:
        if all_free:
            return list(SLOT_NAMES)
        count = int(rng.integers(1, min(4, len(pool)) + 1))
        return sorted(rng.choice(pool, size=count, replace=False).tolist())

    def some(items: tuple[str, ...], most: int) -> list[str]:
        count = int(rng.integers(0, most + 1))
        return sorted(rng.choice(items, size=count, replace=False).tolist())

    vols = [
        volunteer(
            f"V{i}",
            km_north=float(rng.uniform(-6, 6)),
            longitude=5.0 + float(rng.uniform(-0.08, 0.08)),
            languages=["nl", *some(LANGUAGES, 1)],
            slots=slots(),
            capacity=int(rng.integers(1, max_capacity + 1)),
            max_travel_km=float(rng.uniform(3, 12)),
            age_groups=some(tuple(AgeGroup), 3),
            themes=some(tuple(Theme), 5),
        )
        for i in range(volunteers)
    ]
    fams = []
    for i in range(families):
        home = some(LANGUAGES, 1)
        fams.append(
            family(
                f"F{i}",
                km_north=float(rng.uniform(-6, 6)),
                longitude=5.0 + float(rng.uniform(-0.08, 0.08)),
                languages=home,
                speaks_dutch=not home or bool(rng.random() < 0.5),
                slots=slots(),
                children=[
                    {"age_years": round(float(rng.uniform(0, 7)), 2)}
                    for _ in range(int(rng.integers(1, 4)))
                ],
                themes=[
                    f"{t}:{rng.choice(['high', 'medium', 'low'])}" for t in some(tuple(Theme), 3)
                ],
                registered=f"2026-{int(rng.integers(1, 11)):02d}-{int(rng.integers(1, 28)):02d}",
                rematch=bool(rng.random() < 0.1),
            )
        )
    return round_of(vols, fams)
