"""Setup checklists: what a Jira admin does to connect a site with OAuth 2.0.

Cloud admins register an OAuth 2.0 (3LO) integration in Atlassian's developer
console. Data Center admins create an incoming application link on their site.
Every value the admin pastes comes from the host's identity, and every config
field the admin types appears in some step's ``copy_back``.
"""

from __future__ import annotations

from connauth import Checklist
from connauth import ChecklistStep
from connauth import CopyBackField
from connauth import Deployment
from connauth import HostIdentity
from connauth import ShownValue
from connauth_oauth2._config import OAuth2Config
from connauth_oauth2._scopes import CLOUD_BASE_SCOPES
from connauth_oauth2._scopes import CLOUD_SCOPE_TITLES
from connauth_oauth2._scopes import DC_DEFAULT_SCOPES
from connauth_oauth2._scopes import DC_SCOPE_TITLES
from connauth_oauth2._scopes import OFFLINE_ACCESS
from connauth_oauth2._steps import CLOUD_STEPS
from connauth_oauth2._steps import DC_STEPS
from connauth_oauth2._versions import DC_PROVIDER_SINCE

__all__ = ["METHOD_NAME", "build_checklist", "checklist_for_config"]

METHOD_NAME = "oauth2"

_DEPLOYMENT = CopyBackField(field="deployment", label="Deployment")
_SITE_URL = CopyBackField(field="site_url", label="Site URL")
_SCOPES = CopyBackField(field="scopes", label="Scopes, if not the defaults")
_CLIENT_ID = CopyBackField(field="client_id", label="Client ID")
_CLIENT_SECRET = CopyBackField(
    field="client_secret", label="Client secret", secret=True
)


def checklist_for_config(host: HostIdentity, config: OAuth2Config | None) -> Checklist:
    """Return the checklist of ``config``'s deployment; Cloud when ``config`` is None.

    Cloud is the recommended deployment for new connectors. A host that needs
    the Data Center steps before any configuration exists calls
    :func:`build_checklist` directly.
    """
    deployment = config.deployment if config is not None else Deployment.CLOUD
    scopes = config.requested_scopes() if config is not None else None
    return build_checklist(host, deployment, scopes=scopes)


def build_checklist(
    host: HostIdentity,
    deployment: Deployment,
    *,
    scopes: tuple[str, ...] | None = None,
) -> Checklist:
    """Return the setup checklist of ``deployment`` with the host's values.

    ``scopes`` are the scopes to show in the permissions step; ``None`` shows
    the deployment's defaults.
    """
    if deployment is Deployment.DATA_CENTER:
        return Checklist(
            method=METHOD_NAME,
            title="Connect Jira Data Center with OAuth 2.0",
            steps=_dc_steps(host, scopes),
        )
    return Checklist(
        method=METHOD_NAME,
        title="Connect Jira Cloud with OAuth 2.0 (3LO)",
        steps=_cloud_steps(host, scopes),
    )


def _cloud_steps(
    host: HostIdentity, scopes: tuple[str, ...] | None
) -> tuple[ChecklistStep, ...]:
    listed = [
        scope for scope in (scopes or CLOUD_BASE_SCOPES) if scope != OFFLINE_ACCESS
    ]
    return (
        ChecklistStep(
            id=CLOUD_STEPS.site,
            title="Note the Jira Cloud site",
            instructions=(
                "Open the Jira Cloud site to connect and copy its address, "
                "such as https://your-domain.atlassian.net.",
                "Set deployment to 'cloud'.",
            ),
            copy_back=(_DEPLOYMENT, _SITE_URL),
        ),
        ChecklistStep(
            id=CLOUD_STEPS.create,
            title="Create an OAuth 2.0 integration",
            instructions=(
                "Sign in to the Atlassian developer console "
                "(developer.atlassian.com, then 'Developer console').",
                "Choose Create, then 'OAuth 2.0 integration'.",
                "Name it after the application shown below and accept the "
                "developer terms.",
            ),
            show=(ShownValue(label="Name", value=host.name),),
        ),
        ChecklistStep(
            id=CLOUD_STEPS.distribution,
            title="Share the integration",
            instructions=(
                "Open Distribution and choose Edit.",
                "Set the distribution status to Sharing, so that admins of "
                "other Atlassian organizations can authorize it.",
                "Enter the vendor name and privacy policy URL shown below, "
                "answer the personal data declaration, and save.",
            ),
            show=(
                ShownValue(label="Vendor name", value=host.name),
                ShownValue(label="Privacy policy", value=host.privacy_policy_url),
            ),
        ),
        ChecklistStep(
            id=CLOUD_STEPS.scopes,
            title="Add the Jira API permissions",
            instructions=(
                "Open Permissions, find 'Jira API' and choose Add, then Configure.",
                "Under classic scopes, select each scope shown below; the console "
                "lists them by the titles shown.",
                f"Do not look for '{OFFLINE_ACCESS}' in the console: connauth "
                "requests it when an admin authorizes, which gives the refresh "
                "token.",
            ),
            show=tuple(
                ShownValue(label=CLOUD_SCOPE_TITLES.get(scope, scope), value=scope)
                for scope in listed
            ),
            copy_back=(_SCOPES,),
        ),
        ChecklistStep(
            id=CLOUD_STEPS.callback,
            title="Set the callback URL",
            instructions=(
                "Open Authorization and choose Add (or Configure) next to "
                "'OAuth 2.0 (3LO)'.",
                "Paste the callback URL below exactly, with no added or removed "
                "slash, and save.",
            ),
            show=(ShownValue(label="Callback URL", value=host.redirect_url),),
        ),
        ChecklistStep(
            id=CLOUD_STEPS.credentials,
            title="Copy the client ID and secret",
            instructions=(
                "Open Settings and copy the Client ID and the Secret into the "
                "connector form.",
            ),
            copy_back=(_CLIENT_ID, _CLIENT_SECRET),
        ),
    )


def _dc_steps(
    host: HostIdentity, scopes: tuple[str, ...] | None
) -> tuple[ChecklistStep, ...]:
    listed = scopes or DC_DEFAULT_SCOPES
    since = ".".join(str(part) for part in DC_PROVIDER_SINCE)
    return (
        ChecklistStep(
            id=DC_STEPS.site,
            title="Note the Jira base URL",
            instructions=(
                "Copy the site's base URL as set under Administration, System, "
                "General configuration. It must use https.",
                "Set deployment to 'datacenter'. The site must run a Jira "
                f"version with the OAuth 2.0 provider (Jira {since} or later).",
            ),
            copy_back=(_DEPLOYMENT, _SITE_URL),
        ),
        ChecklistStep(
            id=DC_STEPS.create,
            title="Create an incoming application link",
            instructions=(
                "As a Jira administrator, go to Administration, Applications, "
                "Application links.",
                "Choose 'Create link', select 'External application', then "
                "'Incoming', and continue.",
                "Enter the name shown below.",
            ),
            show=(ShownValue(label="Name", value=host.name),),
        ),
        ChecklistStep(
            id=DC_STEPS.callback,
            title="Enter the redirect URL",
            instructions=(
                "In the same form, paste the redirect URL below exactly, with no "
                "added or removed slash.",
            ),
            show=(ShownValue(label="Redirect URL", value=host.redirect_url),),
        ),
        ChecklistStep(
            id=DC_STEPS.scopes,
            title="Choose the permission",
            instructions=(
                "Select the permission shown below and save the link. The user "
                "who authorizes keeps only the rights their Jira account has.",
            ),
            show=tuple(
                ShownValue(label=DC_SCOPE_TITLES.get(scope, scope), value=scope)
                for scope in listed
            ),
            copy_back=(_SCOPES,),
        ),
        ChecklistStep(
            id=DC_STEPS.credentials,
            title="Copy the client ID and secret",
            instructions=(
                "Jira now shows the Client ID and Client secret of the link. Copy "
                "both into the connector form.",
            ),
            copy_back=(_CLIENT_ID, _CLIENT_SECRET),
        ),
    )
