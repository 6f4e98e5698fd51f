"""The user's own numbers (region, current offer, personal walk-away and target).

Kept as a small YAML file in the data folder so it is easy to read and edit by hand.
Where a value is set here it wins over the guide's: the guide describes the market, the
profile describes this person.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from coach.errors import InputError
from coach.negotiation.playbook import Playbook, Source, Threshold


@dataclass
class Profile:
    """A person's own figures; empty dicts mean "use the guide's"."""

    region: str = ""
    guide: str = ""
    offer: dict[str, float] = field(default_factory=dict)
    walk_away: dict[str, float] = field(default_factory=dict)
    target: dict[str, float] = field(default_factory=dict)


def with_profile(playbook: Playbook, profile: Profile) -> Playbook:
    """A copy of ``playbook`` whose target and walk-away include the person's own figures.

    The engine applies the profile itself; role-play and its scorecard read the playbook, so
    they get this merged copy and judge the person by the same numbers.
    """
    merged = copy.deepcopy(playbook)
    mine = Source(guide="profile", section="profile.yaml", line=0, quote="your own figures")
    for name in ("walk_away", "target"):
        own = getattr(profile, name)
        if not own:
            continue
        current = getattr(merged, name)
        if current is None:
            setattr(merged, name, Threshold(components=dict(own), source=mine))
        else:
            current.components.update(own)
    return merged


def profile_path(home: Path) -> Path:
    return home / "profile.yaml"


def load_profile(home: Path) -> Profile:
    """The stored profile, or an empty one; a damaged file is an error that says where it is."""
    path = profile_path(home)
    if not path.is_file():
        return Profile()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return Profile(
            region=str(data.get("region", "") or ""),
            guide=str(data.get("guide", "") or ""),
            offer={k: float(v) for k, v in (data.get("offer") or {}).items()},
            walk_away={k: float(v) for k, v in (data.get("walk_away") or {}).items()},
            target={k: float(v) for k, v in (data.get("target") or {}).items()},
        )
    except (yaml.YAMLError, AttributeError, TypeError, ValueError) as exc:
        raise InputError(
            f"{path} is not a valid profile ({exc.__class__.__name__}).",
            f"Fix it by hand or delete it and run `coach profile set` again ({path}).",
        ) from None


def save_profile(home: Path, profile: Profile) -> Path:
    path = profile_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(yaml.safe_dump(asdict(profile), sort_keys=False), encoding="utf-8")
    partial.replace(path)
    return path
