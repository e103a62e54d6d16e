"""docs/model.md documents every scenario field, metric, record column and command."""

from __future__ import annotations

import re
import types
import typing

import typer
from pydantic import BaseModel

from callsim.cli.app import app
from callsim.engine.records import CODE_COLUMNS, TIME_COLUMNS
from callsim.policies import registry
from callsim.scenario.catalogue import catalogued
from callsim.scenario.schema import Scenario
from tests.shared import ROOT

MODEL_MD = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
#: How model.md writes the name of a department or call type inside a field path.
PLACEHOLDERS = {"departments": "D", "call_types": "K", "resolves": "K", "shifts": "S"}


def _model(annotation: object) -> type[BaseModel] | None:
    """The scenario sub-model an annotation holds (distributions are leaves)."""
    for candidate in (annotation, *typing.get_args(annotation)):
        if (isinstance(candidate, type) and issubclass(candidate, BaseModel)
                and "dist" not in candidate.model_fields):
            return candidate
    return None


def field_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    paths = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        origin = typing.get_origin(annotation)
        if origin is dict:
            inner = _model(typing.get_args(annotation)[1])
            if inner is not None:
                paths += field_paths(inner, f"{prefix}{name}.{PLACEHOLDERS[name]}.")
                continue
        inner = _model(annotation) if origin not in (dict, types.UnionType) else None
        if inner is not None:
            paths += field_paths(inner, f"{prefix}{name}.")
        else:
            paths.append(prefix + name)
    return paths


def documented(name: str) -> bool:
    return f"`{name}`" in MODEL_MD


def scenario_paths() -> list[str]:
    """Every field path of a scenario: the schema's and each policy's ``transfer.NAME`` ones."""
    paths = field_paths(Scenario)
    for name, model in registry.options_models().items():
        if model is not None:
            paths += field_paths(model, f"transfer.{name}.")
    return paths


def test_every_scenario_field_is_documented() -> None:
    paths = scenario_paths()
    assert "transfer.cold.drop_probability" in paths and "departments.D.agents" in paths
    missing = [p for p in paths if not documented(p)]
    assert missing == [], f"docs/model.md lacks scenario fields {missing}"


def test_every_metric_is_documented() -> None:
    registry.names()  # the registry adds the built-in policies' own metrics to the catalogue
    missing = [m.name for m in catalogued() if not documented(m.name)]
    assert missing == [], f"docs/model.md lacks metrics {missing}"


def test_every_record_column_is_documented() -> None:
    columns = ["call_id", "call_type", "first_department", *TIME_COLUMNS, *CODE_COLUMNS]
    missing = [c for c in columns if not re.search(rf"`{c}`", MODEL_MD)]
    assert missing == [], f"docs/model.md lacks record columns {missing}"


def test_every_command_is_documented() -> None:
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    missing = [c for c in commands if not re.search(rf"\| `{c}[ `]", MODEL_MD)]
    assert missing == [], f"docs/model.md lacks commands {missing}"
