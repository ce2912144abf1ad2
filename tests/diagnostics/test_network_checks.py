"""The dns, tcp, tls and http checks, each broken for real on loopback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from connauth import HttpSettings
from connauth_sandbox._tls import write_tls_files

from ._jira import JiraWorld
from ._jira import assert_result
from ._servers import closed_port
from ._servers import failing_tls_server

SITE_STEP = "copy-credentials"
"""The basic checklist's step that collects site_url."""

AFTER_NETWORK = ("http", "server-info", "deployment", "clock-skew", "credentials")


async def _unresolvable(host: str, port: int) -> list[str]:
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


def test_healthy_network_checks_pass(jira: JiraWorld) -> None:
    results = jira.check(jira.connector("basic"))

    for check_id in ("dns", "tcp", "tls", "http"):
        assert_result(results, check_id, "pass")
    assert results["tls"].details["issuer"] == "connauth sandbox CA"


def test_dns_failure_reported(jira: JiraWorld) -> None:
    # A stand-in resolver: a real failed lookup would query this machine's DNS
    # server, which the tests must not contact. The site's host is a name, so
    # the dns check has to resolve it.
    site_url = f"https://jira.example.test:{jira.server.port}/cloud/acme"
    connector = jira.connector("basic", site_url=site_url)

    results = jira.check(connector, resolver=_unresolvable)

    dns = assert_result(results, "dns", "fail", SITE_STEP)
    assert "jira.example.test does not resolve" in dns.message
    assert_result(results, "tcp", "skip")
    for check_id in ("tls", *AFTER_NETWORK):
        assert_result(results, check_id, "skip")


def test_refused_connection_reported(jira: JiraWorld) -> None:
    site_url = f"https://127.0.0.1:{closed_port()}/cloud/acme"
    connector = jira.connector("basic", site_url=site_url)

    results = jira.check(connector)

    tcp = assert_result(results, "tcp", "fail", SITE_STEP)
    assert "cannot connect to 127.0.0.1:" in tcp.message
    assert_result(results, "tls", "skip")
    assert_result(results, "credentials", "skip")


def test_untrusted_certificate_reported(jira: JiraWorld) -> None:
    # verify=True trusts httpx's default CA bundle, which lacks the sandbox CA.
    connector = jira.connector("basic", http=HttpSettings(verify=True))

    results = jira.check(connector)

    tls = assert_result(results, "tls", "fail", SITE_STEP)
    assert "is not trusted by the default CA bundle" in tls.message
    assert "http.verify" in tls.message
    assert tls.details["issuer"] == "connauth sandbox CA"
    assert_result(results, "http", "skip")


def test_custom_ca_bundle_honoured(jira: JiraWorld, tmp_path: Path) -> None:
    other = write_tls_files(tmp_path)
    wrong = jira.connector("basic", http=HttpSettings(verify=str(other.ca_path)))
    right = jira.connector("basic", http=HttpSettings(verify=str(jira.server.ca_path)))

    wrong_results = jira.check(wrong)
    right_results = jira.check(right)

    tls = assert_result(wrong_results, "tls", "fail", SITE_STEP)
    assert f"the CA bundle {other.ca_path}" in tls.message
    assert_result(right_results, "tls", "pass")


def test_expired_certificate_reported(jira: JiraWorld) -> None:
    jira.sandbox.settings.server_certificate_expires_in = -2 * 86400

    results = jira.check(jira.connector("basic"))

    tls = assert_result(results, "tls", "fail", SITE_STEP)
    assert "expired on" in tls.message
    assert "renew" in tls.message
    assert_result(results, "http", "skip")


def test_expiring_certificate_warned(jira: JiraWorld) -> None:
    jira.sandbox.settings.server_certificate_expires_in = 3 * 86400

    results = jira.check(jira.connector("basic"))

    tls = assert_result(results, "tls", "warn", SITE_STEP)
    assert "expires on" in tls.message
    assert tls.details["days_left"] < 14
    assert_result(results, "credentials", "pass")


def test_verification_off_warned(jira: JiraWorld) -> None:
    connector = jira.connector("basic", http=HttpSettings(verify=False))

    results = jira.check(connector)

    assert_result(results, "http-verify", "warn")
    tls = assert_result(results, "tls", "warn", SITE_STEP)
    assert "verification is off" in tls.message


def test_server_error_fails_http(jira: JiraWorld, tmp_path: Path) -> None:
    with failing_tls_server(tmp_path) as (base_url, ca_path):
        connector = jira.connector(
            "basic",
            site_url=f"{base_url}/jira",
            http=HttpSettings(verify=str(ca_path)),
        )
        results = jira.check(connector)

    assert_result(results, "tls", "pass")
    http = assert_result(results, "http", "fail", SITE_STEP)
    assert "returned 503" in http.message
    assert_result(results, "server-info", "skip")
    assert_result(results, "credentials", "skip")


def test_proxy_skips_direct_checks(
    jira: JiraWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The proxy is a closed loopback port, so the http check fails: the
    # direct checks cannot speak for a path through a proxy, and skip.
    proxy = f"http://127.0.0.1:{closed_port()}"
    connector = jira.connector(
        "basic", http=HttpSettings(verify=str(jira.server.ca_path), proxy=proxy)
    )

    results = jira.check(connector)

    for check_id in ("dns", "tcp", "tls"):
        skipped = assert_result(results, check_id, "skip")
        assert "proxy" in skipped.message
    assert_result(results, "http", "fail", SITE_STEP)
