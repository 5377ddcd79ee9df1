"""Diagnoses of a bundle, ranked: errors first, then warnings, then information."""

from __future__ import annotations

from analyzer.analysis.findings.catalog import (
    CATALOG,
    render,
    render_remedy,
    render_summary,
)
from analyzer.analysis.findings.context import Context
from analyzer.analysis.findings.delivery import (
    PRIORITY,
    accepted_findings,
    delivery_findings,
    local_mailbox_findings,
    queue_cause_findings,
)
from analyzer.analysis.findings.model import Evidence, Finding, findings_frame, rank
from analyzer.analysis.findings.other import (
    bundle_findings,
    config_findings,
    content_check_findings,
    expiry_findings,
    lifetime_findings,
    queue_findings,
    system_findings,
    timezone_findings,
)
from analyzer.analysis.findings.submissions import (
    bind_address_findings,
    not_accepted_findings,
    unattempted_findings,
)
from analyzer.analysis.findings.tables import stale_table_findings

__all__ = ["Context", "Evidence", "Finding", "diagnose", "findings_frame"]


def diagnose(ctx: Context) -> list[Finding]:
    """Run every rule and return the findings, ranked, with their texts filled in."""
    findings = delivery_findings(ctx)
    findings += stale_table_findings(ctx, findings)
    findings += queue_cause_findings(ctx, {(f.host, f.code) for f in findings})
    findings += expiry_findings(ctx)
    findings += queue_findings(ctx)
    findings += lifetime_findings(ctx)
    findings += content_check_findings(ctx)
    findings += system_findings(ctx)
    findings += not_accepted_findings(ctx)
    findings += bind_address_findings(ctx)
    findings += unattempted_findings(ctx)
    findings += timezone_findings(ctx)
    findings += local_mailbox_findings(ctx)
    findings += accepted_findings(ctx)
    shown = {(f.host, f.code) for f in findings}
    # A variant counts as shown too, such as relay-connection-failed:via_mx.
    shown |= {
        (f.host, f"{f.code}:{f.params['variant']}")
        for f in findings
        if f.params.get("variant")
    }
    findings += config_findings(ctx, shown)
    findings += bundle_findings(ctx)
    _rank_backlog_below_cause(findings)
    for finding in findings:
        entry = CATALOG[finding.code]
        finding.params.setdefault("count", finding.messages_affected)
        variant = str(finding.params.get("variant") or "")
        finding.title = render(entry.title_for(variant), finding.params)
        finding.summary = render_summary(entry.summary_for(variant), finding.params)
        finding.remedy = render_remedy(entry.remedy_for(variant), finding.params)
    return rank(findings)


def _rank_backlog_below_cause(findings: list[Finding]) -> None:
    """Put a backlog after the delivery failure that causes it.

    A backlog is a symptom. When a delivery failure on the same host is an
    error (still failing at the end of the log) and ranks as a cause, the
    verdict names that failure, and the backlog follows it.
    """
    floor = PRIORITY["ipv6-no-route"]
    causes = {
        f.host
        for f in findings
        if f.severity == "error" and f.code in PRIORITY and f.priority >= floor
    }
    for finding in findings:
        if finding.code == "queue-backlog" and finding.host in causes:
            finding.priority = min(finding.priority, floor - 1)
            finding.secondary = True
