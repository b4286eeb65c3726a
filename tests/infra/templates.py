"""Read the Bicep templates in infra/ with pycep-parser, for the infra tests."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from pycep import BicepParser

from sky_readers.core.settings import PROJECT_ROOT

INFRA_DIR = PROJECT_ROOT / "infra"

INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@functools.cache
def _parser() -> BicepParser:
    # Building the grammar takes about half a second, so one parser serves all.
    return BicepParser()


def parse(text: str) -> dict[str, Any]:
    """Parse Bicep source text into pycep-parser's tree."""
    return _parser().parse(text=text)


@functools.cache
def template(relative_path: str) -> dict[str, Any]:
    """Parse one template, such as "main.bicep" or "modules/redis.bicep"."""
    return parse((INFRA_DIR / relative_path).read_text(encoding="utf-8"))


def bicep_files() -> list[Path]:
    """Return every .bicep file under infra/, sorted."""
    return sorted(INFRA_DIR.rglob("*.bicep"))


def resource_config(resource: dict[str, Any]) -> dict[str, Any]:
    """Return the body of a resource, looking through an `if (...)` condition."""
    config = resource["config"]
    if "condition" in config and "config" in config:
        return config["config"]
    return config


def resources_of_type(tree: dict[str, Any], resource_type: str) -> dict[str, dict]:
    """Return the bodies of a template's resources of one type, by symbolic name."""
    return {
        name: resource_config(resource)
        for name, resource in tree.get("resources", {}).items()
        if resource["type"] == resource_type and not resource["existing"]
    }


def only_resource(tree: dict[str, Any], resource_type: str) -> dict[str, Any]:
    """Return the body of the single resource of a type, failing if there is not one."""
    found = resources_of_type(tree, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.values()))


def resolve_variables(value: str, tree: dict[str, Any]) -> str:
    """Replace `${name}` with the value of a template variable that is a plain string.

    Parameters and resource properties stay as written, so the result shows which
    parts come from where.
    """
    variables = tree.get("variables", {})

    def replace(match: re.Match[str]) -> str:
        variable = variables.get(match[1])
        if variable is not None and isinstance(variable["value"], str):
            return resolve_variables(variable["value"], tree)
        return match[0]

    return INTERPOLATION.sub(replace, value)


def walk(node: Any):
    """Yield every dict, list and leaf inside a parsed tree, depth first."""
    yield node
    if isinstance(node, dict):
        for child in node.values():
            yield from walk(child)
    elif isinstance(node, list):
        for child in node:
            yield from walk(child)


def module_output_references(tree: dict[str, Any]) -> set[tuple[str, str]]:
    """Collect every `<module>.outputs.<name>` a template uses, as (module, name)."""
    references = set()
    for node in walk(tree):
        if isinstance(node, dict) and node.get("type") == "property_accessor":
            operands = node["operands"]
            inner = operands.get("operand_2")
            if (
                isinstance(operands.get("operand_1"), str)
                and isinstance(inner, dict)
                and inner.get("operator", {}).get("type") == "property_accessor"
            ):
                inner_operands = inner["operator"]["operands"]
                if inner_operands.get("operand_1") == "outputs":
                    references.add((operands["operand_1"], inner_operands["operand_2"]))
        elif isinstance(node, str):
            for match in re.finditer(r"\$\{(\w+)\.outputs\.(\w+)\}", node):
                references.add((match[1], match[2]))
    return references


def has_decorator(parameter: dict[str, Any], kind: str) -> bool:
    """Tell whether a parameter carries a decorator such as secure or description."""
    return any(item["type"] == kind for item in parameter.get("decorators", []))
