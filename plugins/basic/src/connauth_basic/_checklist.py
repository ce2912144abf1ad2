"""Setup checklists of the ``basic`` and ``pat`` methods.

Step ids are stable: hosts may store which steps an admin has completed, and
errors name the step that fixes them.
"""

from __future__ import annotations

from connauth import Checklist
from connauth import ChecklistStep
from connauth import CopyBackField
from connauth import HostIdentity
from connauth import ShownValue

__all__ = [
    "STEP_API_TOKEN",
    "STEP_COPY_CREDENTIALS",
    "STEP_COPY_TOKEN",
    "STEP_CREATE_TOKEN",
    "STEP_SERVICE_ACCOUNT",
    "basic_checklist",
    "pat_checklist",
]

STEP_SERVICE_ACCOUNT = "service-account"
STEP_API_TOKEN = "api-token"
STEP_COPY_CREDENTIALS = "copy-credentials"
STEP_CREATE_TOKEN = "create-token"
STEP_COPY_TOKEN = "copy-token"

# Atlassian's page for managing the API tokens of the signed-in account.
_API_TOKEN_PAGE = "https://id.atlassian.com/manage-profile/security/api-tokens"


def basic_checklist(host: HostIdentity) -> Checklist:
    """Build the checklist for Jira Cloud with an email and API token."""
    return Checklist(
        method="basic",
        title=f"Connect {host.name} to Jira Cloud with an API token",
        steps=(
            ChecklistStep(
                id=STEP_SERVICE_ACCOUNT,
                title="Choose the account that acts for the host",
                instructions=(
                    f"Pick an Atlassian account that only {host.name} uses, or "
                    "create one. Everything the host does in Jira appears under "
                    "this account, and the connection keeps working when a "
                    "colleague leaves.",
                    "Give the account access to Jira and the project permissions "
                    f"that {host.name} needs, and nothing more.",
                ),
                show=(ShownValue(label="Application", value=host.name),),
            ),
            ChecklistStep(
                id=STEP_API_TOKEN,
                title="Create an API token for that account",
                instructions=(
                    "Sign in as the chosen account, open the API token page of "
                    "its Atlassian account settings (Security, then API tokens) "
                    "and create a token.",
                    f"Name the token after {host.name} so that it can be found and "
                    "revoked later.",
                    "Choose an expiry date between one day and one year ahead, "
                    "the range Atlassian allows for new tokens. Write the date "
                    "down and plan to replace the token before it.",
                    "An Atlassian service account (created in Atlassian "
                    "Administration) gets scoped tokens: give the token the Jira "
                    "scopes the host needs, and note the site's cloud id, because "
                    "Jira accepts scoped tokens only through Atlassian's API "
                    "gateway. The site returns its cloud id at the path "
                    "/_edge/tenant_info.",
                    "The token is shown only once: copy it now.",
                ),
                show=(
                    ShownValue(label="API token page", value=_API_TOKEN_PAGE),
                    ShownValue(label="Token name", value=host.name),
                ),
            ),
            ChecklistStep(
                id=STEP_COPY_CREDENTIALS,
                title=f"Enter the site and the credentials in {host.name}",
                instructions=(
                    "Enter the site address as the browser shows it, for example "
                    "https://your-site.atlassian.net, without any path after it.",
                    "Enter the account's email address and the API token. Do not "
                    "enter the account password: Jira Cloud rejects passwords for "
                    "API access.",
                    "For a scoped token only, also enter the site's cloud id.",
                ),
                copy_back=(
                    CopyBackField(field="site_url", label="Site URL"),
                    CopyBackField(field="email", label="Account email"),
                    CopyBackField(field="api_token", label="API token", secret=True),
                    CopyBackField(field="cloud_id", label="Cloud id (scoped tokens)"),
                ),
            ),
        ),
    )


def pat_checklist(host: HostIdentity) -> Checklist:
    """Build the checklist for Jira Data Center with a personal access token."""
    return Checklist(
        method="pat",
        title=f"Connect {host.name} to Jira Data Center with a personal access token",
        steps=(
            ChecklistStep(
                id=STEP_CREATE_TOKEN,
                title="Create a personal access token",
                instructions=(
                    f"Sign in to Jira as the user that {host.name} acts as, "
                    "ideally a user that only the host uses. The token carries "
                    "that user's permissions.",
                    "Open the user's profile, choose Personal Access Tokens and "
                    f"create a token named after {host.name}. Jira 8.14 or later "
                    "is required.",
                    "Choose whether the token expires. If it does, note the date "
                    "and replace the token before it, because an expired token "
                    "cannot be renewed.",
                    "The token is shown only once: copy it now.",
                ),
                show=(ShownValue(label="Token name", value=host.name),),
            ),
            ChecklistStep(
                id=STEP_COPY_TOKEN,
                title=f"Enter the site and the token in {host.name}",
                instructions=(
                    "Enter the base URL of the Jira instance, as in its "
                    "general configuration (https:// is required).",
                    "Enter the personal access token.",
                ),
                copy_back=(
                    CopyBackField(field="site_url", label="Jira base URL"),
                    CopyBackField(
                        field="token", label="Personal access token", secret=True
                    ),
                ),
            ),
        ),
    )
