"""Setup checklists: the steps a Jira admin follows to connect a site.

A checklist is data. Renderers (terminal, Markdown, JSON) live elsewhere, so a
host can show the same steps in its own UI. Step ids are stable across
releases: a host may store which steps an admin has completed.
"""

from __future__ import annotations

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

__all__ = ["Checklist", "ChecklistStep", "CopyBackField", "ShownValue"]


class ShownValue(BaseModel):
    """A value the host shows the admin to paste into Jira (never a secret)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    value: str
    multiline: bool = False


class CopyBackField(BaseModel):
    """A value the admin copies from Jira back into the host's connector form."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str = Field(description="Name of the method config field it fills.")
    label: str
    secret: bool = False


class ChecklistStep(BaseModel):
    """One step of a setup checklist."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    instructions: tuple[str, ...]
    show: tuple[ShownValue, ...] = ()
    copy_back: tuple[CopyBackField, ...] = ()


class Checklist(BaseModel):
    """The ordered setup steps of one method, with the host's values filled in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: str
    title: str
    steps: tuple[ChecklistStep, ...]

    def step(self, step_id: str) -> ChecklistStep:
        """Return the step with id ``step_id``; raise ``KeyError`` if absent."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)
