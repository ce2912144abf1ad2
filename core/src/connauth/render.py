"""Rendering checklists, check results and methods for rich, Markdown and JSON.

The three forms of a checklist carry the same content: every step with its
stable id, its instructions, the values to paste into Jira and the fields to
copy back. A value to paste whose label differs from it (a scope labelled with
its developer-console title) appears with both.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from connauth._checklist import Checklist
from connauth._checklist import ChecklistStep
from connauth._checklist import ShownValue
from connauth._checks import CheckResult
from connauth._checks import CheckStatus
from connauth._method import MethodInfo

__all__ = [
    "checklist_json",
    "checklist_markdown",
    "checks_json",
    "checks_summary",
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


# -- checklists ---------------------------------------------------------------


def print_checklist(console: Console, checklist: Checklist) -> None:
    """Print a checklist with its numbered steps, step ids and values to paste."""
    console.print(Text(checklist.title, style="bold underline"))
    for number, step in enumerate(checklist.steps, start=1):
        heading = Text(f"\n{number}. {step.title} ", style="bold")
        heading.append(f"[{step.id}]", style="dim")
        console.print(heading)
        for line in step.instructions:
            console.print(Text(f"   - {line}"))
        for shown_value in step.show:
            _print_shown(console, shown_value)
        for field in step.copy_back:
            copy_back = Text("   Copy back: ", style="magenta")
            copy_back.append(f"{field.label} ({field.field})")
            if field.secret:
                copy_back.append(" - secret", style="bold")
            console.print(copy_back)


def _print_shown(console: Console, shown_value: ShownValue) -> None:
    label = Text(f"   {shown_value.label}:", style="cyan")
    if shown_value.multiline or "\n" in shown_value.value:
        console.print(label)
        for value_line in shown_value.value.splitlines() or [""]:
            console.print(f"     {value_line}", markup=False, highlight=False)
        return
    label.append(" ")
    label.append(shown_value.value, style="bold")
    console.print(label)


def checklist_markdown(checklist: Checklist) -> str:
    """Return the checklist as Markdown, one section per step."""
    lines = [f"# {checklist.title}", ""]
    for number, step in enumerate(checklist.steps, start=1):
        lines += [f"## {number}. {step.title}", "", f"Step id: `{step.id}`", ""]
        lines += [f"- {_markdown_text(line)}" for line in step.instructions]
        lines += _markdown_shown(step)
        if step.copy_back:
            lines += ["", "Copy back into the connector:", ""]
            for field in step.copy_back:
                secret = " (secret)" if field.secret else ""
                lines.append(
                    f"- {_markdown_text(field.label)}: `{field.field}`{secret}"
                )
        lines.append("")
    return "\n".join(lines)


def _markdown_shown(step: ChecklistStep) -> list[str]:
    lines: list[str] = []
    for shown_value in step.show:
        label = _markdown_text(shown_value.label)
        if shown_value.multiline or "\n" in shown_value.value:
            fence = "````" if "```" in shown_value.value else "```"
            lines += [
                "",
                f"**{label}:**",
                "",
                fence,
                shown_value.value.rstrip("\n"),
                fence,
            ]
        else:
            lines += ["", f"**{label}:** {_code_span(shown_value.value)}"]
    return lines


def checklist_json(checklist: Checklist) -> str:
    """Return the checklist as JSON; each step also carries its ``number``."""
    data = checklist.model_dump(mode="json")
    for number, step in enumerate(data["steps"], start=1):
        step["number"] = number
    return json.dumps(data, indent=2)


def _markdown_text(text: str) -> str:
    """Escape the characters that would start Markdown emphasis or markup."""
    for character in ("\\", "*", "_", "`", "<", "[", "]"):
        text = text.replace(character, "\\" + character)
    return text


def _code_span(value: str) -> str:
    fence = "``" if "`" in value else "`"
    padding = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{padding}{value}{padding}{fence}"


# -- check results --------------------------------------------------------------


def checks_summary(results: Sequence[CheckResult]) -> dict[str, int]:
    """Return how many results have each status, every status included."""
    counts = Counter(result.status.value for result in results)
    return {status.value: counts[status.value] for status in CheckStatus}


def checks_json(
    connector_id: str,
    method: str,
    results: Sequence[CheckResult],
    step_titles: Mapping[str, str] | None = None,
) -> str:
    """Return a check run as JSON: the verdict, the counts and every result.

    ``passed`` is true when no check failed (warnings and skips count as
    passed). A failed result's ``step_title`` names its fixing step.
    """
    titles = step_titles or {}
    rows = []
    for result in results:
        row = result.model_dump(mode="json")
        row["step_title"] = titles.get(result.step) if result.step else None
        rows.append(row)
    document = {
        "connector": connector_id,
        "method": method,
        "passed": not any(result.failed for result in results),
        "summary": checks_summary(results),
        "results": rows,
    }
    return json.dumps(document, indent=2)


def print_checks(
    console: Console,
    title: str,
    results: Sequence[CheckResult],
    step_titles: Mapping[str, str] | None = None,
) -> None:
    """Print check results as a table that names the step fixing each failure or
    warning, then a one-line summary."""
    titles = step_titles or {}
    table = Table(title=title)
    for column in ("check", "status", "message", "fix in step"):
        table.add_column(column, overflow="fold")
    for result in results:
        step = result.step or ""
        if result.step and result.step in titles:
            step = f"{result.step}: {titles[result.step]}"
        table.add_row(
            result.id,
            Text(result.status.value, style=_STATUS_STYLE[result.status]),
            Text(result.message),
            Text(step) if result.status in (CheckStatus.FAIL, CheckStatus.WARN) else "",
        )
    console.print(table)
    counts = checks_summary(results)
    verdict = "FAILED" if counts["fail"] else "PASSED"
    style = "bold red" if counts["fail"] else "bold green"
    summary = Text(f"{verdict}: ", style=style)
    summary.append(
        f"{counts['pass']} passed, {counts['warn']} warned, {counts['fail']} failed, "
        f"{counts['skip']} skipped"
    )
    console.print(summary)


def _plain(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value
