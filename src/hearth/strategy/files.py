"""Portrait and goal files (YAML or JSON) for the CLI; schema in docs/strategy-files.md.

Every error names the field it is about, e.g.
FileError("portrait.age.min: must be an integer between 10 and 100"). Unknown keys are
errors too, so a typo never silently drops a field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from hearth.strategy.catalogue import Catalogue, load_catalogue
from hearth.strategy.fit import DEVICE_CLASS, MARKET_CHOICES, Portrait
from hearth.strategy.smart import CONSTRAINT_KINDS, DIRECTIONS, SCOPES, Constraint, Goal

CITY_SIZES = ("metro", "large", "medium", "small", "rural")
INCOME_LEVELS = ("low", "average", "above_average", "high")
GENDERS = ("female", "male")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class FileError(ValueError):
    """A portrait or goal file is wrong; the message starts with the field path."""


def read_data(path: str | Path, what: str) -> Any:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise FileError(f"{what}: unknown file type {suffix!r}; use .yaml, .yml or .json")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise FileError(f"{what}: cannot read {path}: {error.strerror}") from error
    try:
        return json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        kind = "JSON" if suffix == ".json" else "YAML"
        raise FileError(f"{what}: {path.name} is not valid {kind}: {error}") from error


def load_portrait(path: str | Path, catalogue: Catalogue | None = None) -> Portrait:
    return parse_portrait(read_data(path, "portrait"), catalogue)


def load_goal(path: str | Path) -> Goal:
    return parse_goal(read_data(path, "goal"))


# --- small checked readers -----------------------------------------------------------------


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise FileError(f"{where}: must be a mapping of fields")
    return value


def _no_unknown(data: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in data:
        if key not in allowed:
            raise FileError(f"{where}.{key}: unknown field; expected one of {', '.join(allowed)}")


def _int(value: Any, where: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise FileError(f"{where}: must be an integer between {lo} and {hi}")
    return value


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FileError(f"{where}: must be a number")
    return float(value)


def _text(value: Any, where: str, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise FileError(f"{where}: must be {'non-empty ' if required else ''}text")
    return value.strip()


def _choice(value: Any, where: str, choices: Any) -> str:
    if value not in choices:
        raise FileError(f"{where}: must be one of {', '.join(choices)}")
    return str(value)


def _text_list(value: Any, where: str, choices: Any = None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise FileError(f"{where}: must be a list")
    items = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise FileError(f"{where}[{index}]: must be non-empty text")
        if choices is not None and item not in choices:
            raise FileError(f"{where}[{index}]: {item!r} is not one of {', '.join(choices)}")
        items.append(item.strip())
    return tuple(items)


def _date(value: Any, where: str) -> date:
    if isinstance(value, datetime):
        return _aware(value, where).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise FileError(f"{where}: must be a date written YYYY-MM-DD")


def _aware(value: datetime, where: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise FileError(f"{where}: a time needs a timezone (e.g. 2025-03-01T09:00:00+03:00)")
    return value


def _when(value: Any, where: str) -> date | datetime:
    """A measurement time: a date, or a timezone-aware datetime."""
    if isinstance(value, str) and "T" in value:
        try:
            value = datetime.fromisoformat(value)
        except ValueError as error:
            raise FileError(f"{where}: not an ISO 8601 time") from error
    if isinstance(value, datetime):
        return _aware(value, where)
    return _date(value, where)


# --- portrait ------------------------------------------------------------------------------

PORTRAIT_FIELDS = (
    "name", "age", "gender", "countries", "cities", "city_size", "devices", "income",
    "interests", "buying_behaviour", "formats", "market",
)  # fmt: skip


def parse_portrait(data: Any, catalogue: Catalogue | None = None) -> Portrait:
    """Build a Portrait from parsed YAML/JSON data, or raise FileError naming the field."""
    formats = (catalogue or load_catalogue()).formats
    data = _mapping(data, "portrait")
    _no_unknown(data, PORTRAIT_FIELDS, "portrait")
    age = _mapping(data.get("age"), "portrait.age")
    _no_unknown(age, ("min", "max"), "portrait.age")
    age_min = _int(age.get("min"), "portrait.age.min", 10, 100)
    age_max = _int(age.get("max"), "portrait.age.max", 10, 100)
    if age_max < age_min:
        raise FileError("portrait.age.max: must not be less than portrait.age.min")
    countries = _text_list(data.get("countries"), "portrait.countries")
    for index, country in enumerate(countries):
        if not _COUNTRY.match(country):
            raise FileError(
                f"portrait.countries[{index}]: {country!r} is not an ISO 3166 "
                "alpha-2 code such as RU, FR or CN"
            )
    return Portrait(
        name=_text(data.get("name"), "portrait.name"),
        age_min=age_min,
        age_max=age_max,
        gender_mix=_gender(data.get("gender", "any")),
        countries=countries,
        cities=_text_list(data.get("cities"), "portrait.cities"),
        city_size=(
            _choice(data["city_size"], "portrait.city_size", CITY_SIZES)
            if data.get("city_size") is not None
            else None
        ),
        devices=_text_list(data.get("devices"), "portrait.devices", sorted(DEVICE_CLASS)),
        income=(
            _choice(data["income"], "portrait.income", INCOME_LEVELS)
            if data.get("income") is not None
            else None
        ),
        interests=_text_list(data.get("interests"), "portrait.interests"),
        buying_behaviour=_text(data.get("buying_behaviour"), "portrait.buying_behaviour") or None,
        preferred_formats=_text_list(data.get("formats"), "portrait.formats", list(formats)),
        market=_choice(data.get("market", "b2c"), "portrait.market", MARKET_CHOICES),
    )


def _gender(value: Any) -> dict[str, float]:
    where = "portrait.gender"
    if value == "any":
        return {"female": 0.5, "male": 0.5}
    if value in GENDERS:
        return {value: 1.0}
    if isinstance(value, Mapping):
        _no_unknown(value, GENDERS, where)
        mix = {}
        for key, share in value.items():
            share = _number(share, f"{where}.{key}")
            if not 0 <= share <= 1:
                raise FileError(f"{where}.{key}: must be a share between 0 and 1")
            mix[str(key)] = share
        if abs(sum(mix.values()) - 1) > 0.01:
            raise FileError(
                f"{where}: shares must add up to 1 (they add up to {sum(mix.values()):.2f})"
            )
        return mix
    raise FileError(
        f"{where}: must be female, male, any, or shares such as {{female: 0.7, male: 0.3}}"
    )


# --- goal ----------------------------------------------------------------------------------

GOAL_FIELDS = (
    "title", "direction", "metric", "metrics", "scope", "baseline", "target", "floor",
    "deadline", "owner", "for_whom", "constraints", "business_value", "history",
)  # fmt: skip


def parse_goal(data: Any) -> Goal:
    """Build a Goal from parsed YAML/JSON data, or raise FileError naming the field.

    Several metrics parse (SMART's S then says "split into N goals"); an unknown metric
    name parses too, so check_goal can explain it rather than the parser refusing it.
    """
    data = _mapping(data, "goal")
    _no_unknown(data, GOAL_FIELDS, "goal")
    if ("metric" in data) == ("metrics" in data):
        raise FileError("goal.metric: give exactly one of metric (one name) or metrics (a list)")
    metrics = (
        _text_list(data["metrics"], "goal.metrics")
        if "metrics" in data
        else (_text(data["metric"], "goal.metric", required=True),)
    )
    scope, network, channel = _scope(data.get("scope", "project"))
    baseline_value, baseline_date = _baseline(data.get("baseline"))
    target_value, target_kind = _amount(data.get("target"), "goal.target")
    floor_value, floor_kind = _amount(data.get("floor"), "goal.floor")
    deadline = _date(data["deadline"], "goal.deadline") if data.get("deadline") else None
    return Goal(
        title=_text(data.get("title"), "goal.title", required=True),
        direction=_choice(data.get("direction"), "goal.direction", list(DIRECTIONS)),
        metrics=metrics,
        scope=scope,
        network=network,
        channel=channel,
        baseline_value=baseline_value,
        baseline_date=baseline_date,
        target_value=target_value,
        target_kind=target_kind,
        floor_value=floor_value,
        floor_kind=floor_kind,
        deadline=deadline,
        owner=_text(data.get("owner"), "goal.owner"),
        for_whom=_text(data.get("for_whom"), "goal.for_whom"),
        constraints=_constraints(data.get("constraints")),
        business_value=_text(data.get("business_value"), "goal.business_value"),
        history=_history(data.get("history")),
    )


def _scope(value: Any) -> tuple[str, str | None, str | None]:
    if isinstance(value, str):
        return _choice(value, "goal.scope", SCOPES), None, None
    scope = _mapping(value, "goal.scope")
    _no_unknown(scope, ("level", "network", "channel"), "goal.scope")
    level = _choice(scope.get("level"), "goal.scope.level", SCOPES)
    network = _text(scope.get("network"), "goal.scope.network") or None
    channel = _text(scope.get("channel"), "goal.scope.channel") or None
    if level == "network" and network is None:
        raise FileError("goal.scope.network: required when the scope level is network")
    if level == "channel" and channel is None:
        raise FileError("goal.scope.channel: required when the scope level is channel")
    return level, network, channel


def _baseline(value: Any) -> tuple[float | None, date | None]:
    """Optional in a draft goal (M then says what is missing), complete when given."""
    if value is None:
        return None, None
    baseline = _mapping(value, "goal.baseline")
    _no_unknown(baseline, ("value", "date"), "goal.baseline")
    return (
        _number(baseline.get("value"), "goal.baseline.value"),
        _date(baseline.get("date"), "goal.baseline.date"),
    )


def _amount(value: Any, where: str) -> tuple[float | None, str]:
    if value is None:
        return None, "absolute"
    amount = _mapping(value, where)
    if len(amount) != 1 or next(iter(amount)) not in ("absolute", "relative_pct"):
        raise FileError(f"{where}: give exactly one of absolute: <value> or relative_pct: <%>")
    kind, number = next(iter(amount.items()))
    return _number(number, f"{where}.{kind}"), kind


def _constraints(value: Any) -> tuple[Constraint, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise FileError("goal.constraints: must be a list")
    out = []
    for index, item in enumerate(value):
        where = f"goal.constraints[{index}]"
        item = _mapping(item, where)
        _no_unknown(item, ("metric", "unit", *CONSTRAINT_KINDS), where)
        kinds = [k for k in CONSTRAINT_KINDS if k in item]
        if len(kinds) != 1:
            raise FileError(f"{where}: give exactly one of {', '.join(CONSTRAINT_KINDS)}")
        out.append(Constraint(
            metric=_text(item.get("metric"), f"{where}.metric", required=True),
            kind=kinds[0],
            value=_number(item[kinds[0]], f"{where}.{kinds[0]}"),
            unit=_text(item.get("unit"), f"{where}.unit"),
        ))  # fmt: skip
    return tuple(out)


def _history(value: Any) -> tuple[tuple[date | datetime, float], ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise FileError("goal.history: must be a list of {date, value}")
    points = []
    for index, item in enumerate(value):
        where = f"goal.history[{index}]"
        item = _mapping(item, where)
        _no_unknown(item, ("date", "value"), where)
        points.append(
            (_when(item.get("date"), f"{where}.date"), _number(item.get("value"), f"{where}.value"))
        )
    return tuple(points)
