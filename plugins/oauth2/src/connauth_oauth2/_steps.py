"""Ids of the setup-checklist steps, stable across releases.

Hosts may store which steps an admin completed, and errors name the step that
fixes them, so these values must not change once released.
"""

from __future__ import annotations

from dataclasses import dataclass

from connauth import Deployment

__all__ = ["CLOUD_STEPS", "DC_STEPS", "StepIds", "steps_for"]


@dataclass(frozen=True)
class StepIds:
    """The step ids of one deployment's checklist, by the task they cover."""

    site: str
    create: str
    callback: str
    scopes: str
    credentials: str
    distribution: str | None = None


CLOUD_STEPS = StepIds(
    site="cloud-site",
    create="cloud-create-app",
    distribution="cloud-distribution",
    scopes="cloud-permissions",
    callback="cloud-callback",
    credentials="cloud-copy-credentials",
)

DC_STEPS = StepIds(
    site="dc-site",
    create="dc-create-incoming-link",
    callback="dc-redirect-url",
    scopes="dc-scopes",
    credentials="dc-copy-credentials",
)


def steps_for(deployment: Deployment) -> StepIds:
    """Return the step ids of ``deployment``'s checklist."""
    return DC_STEPS if deployment is Deployment.DATA_CENTER else CLOUD_STEPS
