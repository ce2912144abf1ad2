"""Rendering checklists, check results and methods for rich, Markdown and JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from connauth._checklist import Checklist
from connauth._checks import CheckResult
from connauth._checks import CheckStatus
from connauth._method import MethodInfo

__all__ = [
    "checklist_markdown",
    "print_checklist",
    "print_checks",
    "print_methods",
    "to_json",
]

_STATUS_STYLE = {
    CheckStatus.PASS: "green",
    CheckStatus.WARN: "yellow",
    CheckStatus.FAIL: "bold red",
    CheckStatus.SKIP: "dim",
}


def to_json(value: Any) -> str:
    """Return ``value`` as indented JSON (pydantic models dumped in JSON mode)."""
    return json.dumps(_plain(value), indent=2, sort_keys=False)


def print_methods(console: Console, methods: Sequence[MethodInfo]) -> None:
    """Print the installed methods as a table."""
    table = Table(title="Authentication methods")
    for column in ("name", "title", "lifecycle", "deployments", "summary"):
        table.add_column(column)
    for info in methods:
        table.add_row(
            info.name,
            info.title,
            info.lifecycle.value,
            ", ".join(sorted(d.value for d in info.deployments)),
            info.summary,
        )
    console.print(table)


def print_checklist(console: Console, checklist: Checklist) -> None:
    """Print a checklist with its numbered steps and the values to paste."""
    console.print(Text(checklist.title, style="bold underline"))
    for number, step in enumerate(checklist.steps, start=1):
        console.print(
            Text(f"\n{number}. {step.title}", style="bold"), f"[dim]({step.id})"
        )
        for line in step.instructions:
            console.print(f"   - {line}")
        for shown in step.show:
            console.print(f"   [cyan]{shown.label}:[/cyan]")
            for value_line in shown.value.splitlines() or [""]:
                console.print(f"     {value_line}", markup=False, highlight=False)
        for field in step.copy_back:
            kind = " (secret)" if field.secret else ""
            console.print(f"   [magenta]Copy back:[/magenta] {field.label}{kind}")


def checklist_markdown(checklist: Checklist) -> str:
    """Return the checklist as Markdown."""
    lines = [f"# {checklist.title}", ""]
    for number, step in enumerate(checklist.steps, start=1):
        lines += [f"## {number}. {step.title}", "", f"<!-- step id: {step.id} -->", ""]
        lines += [f"- {line}" for line in step.instructions]
        for shown in step.show:
            lines += ["", f"**{shown.label}:**", "", "```", shown.value, "```"]
        for field in step.copy_back:
            lines.append(
                f"- Copy back: **{field.label}**"
                + (" (secret)" if field.secret else "")
            )
        lines.append("")
    return "\n".join(lines)


def print_checks(console: Console, title: str, results: Sequence[CheckResult]) -> None:
    """Print check results as a table, with the fixing step of each failure."""
    table = Table(title=title)
    for column in ("check", "status", "message", "fix in step"):
        table.add_column(column, overflow="fold")
    for result in results:
        table.add_row(
            result.id,
            Text(result.status.value, style=_STATUS_STYLE[result.status]),
            result.message,
            result.step or "",
        )
    console.print(table)


def _plain(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value
