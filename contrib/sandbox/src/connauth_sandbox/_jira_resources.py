"""A few Jira REST resources, in the Cloud and the Data Center shapes.

Enough of the API for a client to check its credentials (serverInfo, myself,
mypermissions) and to do real work (create and read an issue, read a project).
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse
from starlette.responses import Response

from connauth_sandbox._models import CloudSite
from connauth_sandbox._models import DcSite
from connauth_sandbox._models import Issue
from connauth_sandbox._models import Project
from connauth_sandbox._models import User
from connauth_sandbox._state import Sandbox

CLOUD_VERSION = "1001.0.0-SNAPSHOT"
ISSUE_TYPES = {"10001": "Task", "10002": "Bug", "10003": "Story"}

# (id, name, type) of the permissions that mypermissions supports. Ids follow Jira's
# ProjectPermissions and GlobalPermissionKey constants.
PERMISSIONS = {
    "ADMINISTER": ("0", "Administer Jira", "GLOBAL"),
    "SYSTEM_ADMIN": ("44", "Administer Jira system", "GLOBAL"),
    "BROWSE_PROJECTS": ("10", "Browse Projects", "PROJECT"),
    "CREATE_ISSUES": ("11", "Create Issues", "PROJECT"),
    "EDIT_ISSUES": ("12", "Edit Issues", "PROJECT"),
    "ASSIGN_ISSUES": ("13", "Assign Issues", "PROJECT"),
    "ADD_COMMENTS": ("15", "Add Comments", "PROJECT"),
    "DELETE_ISSUES": ("16", "Delete Issues", "PROJECT"),
    "TRANSITION_ISSUES": ("46", "Transition Issues", "PROJECT"),
    "ADMINISTER_PROJECTS": ("23", "Administer Projects", "PROJECT"),
}
# Sandbox users are ordinary members: they hold every project permission and no
# global administration.
_DENIED_PERMISSIONS = frozenset({"ADMINISTER", "SYSTEM_ADMIN", "ADMINISTER_PROJECTS"})


@dataclass(frozen=True)
class RestContext:
    """One authenticated REST call: where it went and who made it."""

    sandbox: Sandbox
    site: CloudSite | DcSite
    user: User | None
    api_url: str
    site_url: str

    @property
    def is_cloud(self) -> bool:
        return isinstance(self.site, CloudSite)


def error_collection(status: int, *messages: str, **errors: str) -> JSONResponse:
    """Return Jira's ErrorCollection body."""
    body = {"errorMessages": list(messages), "errors": errors}
    return JSONResponse(body, status_code=status)


def _timestamp(epoch: float) -> str:
    moment = datetime.datetime.fromtimestamp(epoch, datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


def server_info(context: RestContext) -> Response:
    now = _timestamp(context.sandbox.host_now())
    info: dict[str, Any] = {
        "baseUrl": context.site_url,
        "buildDate": "2025-01-01T00:00:00.000+0000",
        "serverTime": now,
        "scmInfo": hashlib.sha1(
            context.site.name.encode(), usedforsecurity=False
        ).hexdigest(),
        "serverTitle": "Jira",
    }
    site = context.site
    if isinstance(site, DcSite):
        numbers = [int(part) for part in site.version.split(".")[:3] if part.isdigit()]
        major, minor, patch = [*numbers, 0, 0, 0][:3]
        build = major * 1_000_000 + minor * 10_000 + patch
        info |= {
            "version": site.version,
            "versionNumbers": numbers,
            # Data Center reports "Server" as its deployment type.
            "deploymentType": "Server",
            "buildNumber": build,
            "databaseBuildNumber": build,
        }
    else:
        info |= {
            "version": CLOUD_VERSION,
            "versionNumbers": [1001, 0, 0],
            "deploymentType": "Cloud",
            "buildNumber": 100281,
            "displayUrl": context.site_url,
            "serverTimeZone": "Etc/UTC",
            "defaultLocale": {"locale": "en_US"},
        }
    return JSONResponse(info)


def user_json(context: RestContext, user: User) -> dict[str, Any]:
    """Return a user in the shape of the host: accountId on Cloud, name on DC."""
    avatar = f"{context.site_url}/secure/useravatar?avatarId=10122"
    shape: dict[str, Any] = {
        "emailAddress": user.email,
        "avatarUrls": {f"{size}x{size}": avatar for size in (16, 24, 32, 48)},
        "displayName": user.display_name,
        "active": True,
        "timeZone": user.time_zone,
        "locale": "en_US",
    }
    if context.is_cloud:
        return {
            "self": f"{context.api_url}/user?accountId={user.account_id}",
            "accountId": user.account_id,
            "accountType": "atlassian",
            **shape,
        }
    return {
        "self": f"{context.api_url}/user?username={user.username}",
        "key": user.username,
        "name": user.username,
        **shape,
        "deleted": False,
    }


def anonymous_myself() -> Response:
    """Return the response that a proxy in front of Jira serves to a rejected
    login: a 200 without a user, marked anonymous as Jira marks anonymous
    requests."""
    body = {"displayName": "Anonymous", "active": False}
    return JSONResponse(body, headers={"X-AUSERNAME": "anonymous"})


def myself(context: RestContext, user: User) -> Response:
    body = user_json(context, user)
    body["groups"] = {"size": 1, "items": []}
    body["applicationRoles"] = {"size": 1, "items": []}
    body["expand"] = "groups,applicationRoles"
    return JSONResponse(body)


def my_permissions(
    context: RestContext, requested: str | None, project_key: str | None
) -> Response:
    """Return whether the caller has each requested permission.

    With ``project_key``, project permissions are those in that project.
    Without it, they are those the caller has in at least one project.
    """
    # NOTE: Atlassian does not document the messages of these two 400 responses.
    if not requested:
        return error_collection(400, "The 'permissions' query parameter is required.")
    keys = [key.strip() for key in requested.split(",") if key.strip()]
    unknown = [key for key in keys if key not in PERMISSIONS]
    if unknown:
        return error_collection(400, f"Unknown permission keys: {', '.join(unknown)}.")
    if project_key is not None and project_key not in context.site.projects:
        return error_collection(
            404, f"No project could be found with key '{project_key}'."
        )

    denied = set(_DENIED_PERMISSIONS)
    if context.user is not None:
        faults = context.sandbox.faults
        denied |= faults.denied_permissions(context.user, context.site, project_key)
    permissions = {}
    for key in keys:
        permission_id, name, kind = PERMISSIONS[key]
        permissions[key] = {
            "id": permission_id,
            "key": key,
            "name": name,
            "type": kind,
            "description": f"Ability to {name.lower()}.",
            "havePermission": context.user is not None and key not in denied,
        }
    return JSONResponse({"permissions": permissions})


def project_json(context: RestContext, project: Project) -> dict[str, Any]:
    return {
        "self": f"{context.api_url}/project/{project.id}",
        "id": project.id,
        "key": project.key,
        "name": project.name,
        "projectTypeKey": "software",
    }


def get_project(context: RestContext, key: str) -> Response:
    project = _find_project(context.site, {"key": key, "id": key})
    if project is None:
        return error_collection(404, f"No project could be found with key '{key}'.")
    return JSONResponse(project_json(context, project))


def _find_project(site: CloudSite | DcSite, reference: object) -> Project | None:
    if not isinstance(reference, dict):
        return None
    key, project_id = reference.get("key"), reference.get("id")
    for project in site.projects.values():
        if project.key == key or project.id == str(project_id):
            return project
    return None


def _issue_type(reference: object) -> str | None:
    if not isinstance(reference, dict):
        return None
    if "id" in reference:
        return ISSUE_TYPES.get(str(reference["id"]))
    names = {name.lower(): name for name in ISSUE_TYPES.values()}
    return names.get(str(reference.get("name", "")).lower())


def create_issue(
    context: RestContext, user: User, payload: dict[str, Any] | None
) -> Response:
    """Create an issue from ``{"fields": {...}}`` and return 201 with id, key, self."""
    fields = payload.get("fields") if payload else None
    if not isinstance(fields, dict):
        return error_collection(
            400, "Can not deserialize the request: 'fields' is missing."
        )

    project = _find_project(context.site, fields.get("project"))
    summary = fields.get("summary")
    issue_type = _issue_type(fields.get("issuetype"))
    errors = {}
    if project is None:
        errors["project"] = "Specify a valid project ID or key"
    if not isinstance(summary, str) or not summary.strip():
        errors["summary"] = "You must specify a summary of the issue."
    if issue_type is None:
        errors["issuetype"] = "Specify a valid issue type"
    if errors or project is None or not isinstance(summary, str) or issue_type is None:
        return error_collection(400, **errors)

    with context.sandbox.lock:
        number = 1 + sum(
            1 for i in context.site.issues.values() if i.project is project
        )
        issue = Issue(
            id=context.site.allocate_id(),
            key=f"{project.key}-{number}",
            project=project,
            summary=summary,
            issue_type=issue_type,
            description=fields.get("description"),
            reporter_account_id=user.account_id,
            created=_timestamp(context.sandbox.now()),
        )
        context.site.issues[issue.key] = issue
    body = {
        "id": issue.id,
        "key": issue.key,
        "self": f"{context.api_url}/issue/{issue.id}",
    }
    return JSONResponse(body, status_code=201)


def get_issue(context: RestContext, key: str) -> Response:
    issue = context.site.issues.get(key) or next(
        (i for i in context.site.issues.values() if i.id == key), None
    )
    if issue is None:
        return error_collection(
            404, "Issue does not exist or you do not have permission to see it."
        )
    reporter = context.sandbox.users.get(issue.reporter_account_id)
    type_id = next(i for i, name in ISSUE_TYPES.items() if name == issue.issue_type)
    fields = {
        "summary": issue.summary,
        "description": issue.description,
        "issuetype": {"id": type_id, "name": issue.issue_type, "subtask": False},
        "project": project_json(context, issue.project),
        "reporter": None if reporter is None else user_json(context, reporter),
        "created": issue.created,
        "updated": issue.created,
        "status": {"id": "10000", "name": "To Do"},
    }
    return JSONResponse(
        {
            "expand": "renderedFields,names,schema,transitions,changelog",
            "id": issue.id,
            "key": issue.key,
            "self": f"{context.api_url}/issue/{issue.id}",
            "fields": fields,
        }
    )
