"""Write docs/accuracy.md: truth, mailbundle and pflogsumm on every sample bundle.

Run from the repository root: ``python scripts/accuracy_table.py``. The test
suite runs it too and fails when the committed page differs from its output.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.analysis.stats import RECONCILE_RULES, reconcile  # noqa: E402
from analyzer.api import analyze_bundle  # noqa: E402
from tests.pflogsumm import log_text, run_pflogsumm  # noqa: E402

STATES = ("delivered", "deferred", "bounced", "expired", "deleted", "held", "partial")
PEER = ("received", "delivered", "deferred", "bounced", "rejected")


def scenario_rows() -> list[str]:
    rows = []
    for bundle in sorted((ROOT / "samples" / "bundles").glob("*.tar.gz")):
        name = bundle.name.removesuffix(".tar.gz")
        truth = json.loads((ROOT / "samples" / "truth" / f"{name}.json").read_text())
        analysis = analyze_bundle(bundle)
        expected = Counter({k: v for k, v in truth["counts"].items() if v})
        ours = Counter(analysis.totals().states)
        peer = run_pflogsumm(log_text(bundle))
        reconciled = reconcile(analysis.events, analysis.messages, analysis.deliveries)
        notes = explain(analysis, truth, peer) + [
            f"{row.name}: {RECONCILE_RULES[rule]} ({amount:+d})"
            for row in reconciled
            for rule, amount in row.differences
        ]
        top = analysis.findings[0].code if analysis.findings else "none"
        rows.append(
            "| "
            + " | ".join(
                [
                    name,
                    _counts(expected),
                    _counts(ours) + ("" if ours == expected else " **differs**"),
                    " / ".join(str(peer[k]) for k in PEER),
                    f"{truth['expected_top_finding'] or 'none'} / {top}",
                    "; ".join(notes) or "no difference",
                ]
            )
            + " |"
        )
    return rows


def explain(analysis: object, truth: dict, peer: dict[str, int]) -> list[str]:
    """Say why pflogsumm's numbers differ from the truth's message counts."""
    messages = analysis.messages  # type: ignore[attr-defined]
    deliveries = analysis.deliveries  # type: ignore[attr-defined]
    counts = Counter({k: v for k, v in truth["counts"].items() if v})
    notes = []
    sent = deliveries[deliveries["status"] == "sent"]
    notice = messages["origin"].fillna("").str.endswith("_notice")
    notice_keys = set(messages.index[notice.to_numpy(dtype=bool)])
    notices_sent = int(sent["message_key"].isin(notice_keys).sum())
    if peer["delivered"] != counts["delivered"]:
        parts = [
            f"{peer['delivered']} recipient deliveries, not {counts['delivered']} messages"
        ]
        if notices_sent:
            parts.append(f"{notices_sent} of them bounce or delay notices to root")
        notes.append("delivered: " + ", ".join(parts))
    if peer["deferred"] != counts["deferred"]:
        deferred_keys = deliveries.loc[
            deliveries["status"] == "deferred", "message_key"
        ].unique()
        later = messages.loc[deferred_keys, "final_state"].value_counts()
        fates = ", ".join(
            f"{n} {state}" for state, n in later.items() if state != "deferred"
        )
        notes.append(
            f"deferred: {peer['deferred']} queue IDs had a deferral"
            + (f" ({fates} in the end)" if fates else "")
        )
    if peer["bounced"] != counts["bounced"]:
        bounced = deliveries.loc[
            deliveries["status"] == "bounced", "message_key"
        ].nunique()
        notes.append(
            f"bounced: {peer['bounced']} bounced recipients, in {bounced} messages "
            f"({counts['bounced']} of them bounced for all recipients)"
        )
    received = int(messages["origin"].isin(["local", "smtp"]).sum())
    made = len(notice_keys)
    if (
        peer["received"] != sum(counts.values())
        and peer["received"] == received
        and made
    ):
        notes.append(
            f"received: the {made} notices Postfix made itself are not received mail"
        )
    return notes


def _counts(counts: Counter[str]) -> str:
    return (
        ", ".join(f"{state} {counts[state]}" for state in STATES if counts[state])
        or "none"
    )


def render() -> str:
    header = [
        "# Accuracy on the real-Postfix samples",
        "",
        "Each sample bundle in `samples/bundles/` was written by Debian's Postfix 3.7 in a",
        "network namespace; `samples/truth/` records what happened to every message, taken",
        "from what the scenario runner sent, what its SMTP sinks received and Postfix's",
        "queue at the end, not from the log. This page compares, per scenario, the messages",
        "per final state in the truth and in mailbundle's analysis, the grand totals of",
        "Debian's pflogsumm 1.1.5 on the same log (received / delivered / deferred /",
        "bounced / rejected), and the expected and actual top finding.",
        "",
        "pflogsumm counts differently by design: delivered and bounced count recipient",
        "records, not messages; deferred counts queue IDs with a deferral, even when the",
        "message was delivered later; a message passed through a content filter is",
        "received and delivered twice. The last column names each behaviour of pflogsumm",
        "that makes its totals differ from mailbundle's (`analyzer.analysis.stats.reconcile`",
        "computes them, and the tests assert that they explain every difference).",
        "",
        "Generated by `python scripts/accuracy_table.py`.",
        "",
        "| scenario | truth: messages per final state | mailbundle | pflogsumm: rcvd / dlvd / dfrd / bncd / rjct | top finding: expected / found | why pflogsumm differs from the truth |",
        "|---|---|---|---|---|---|",
    ]
    return "\n".join(header + scenario_rows()) + "\n"


def main() -> None:
    (ROOT / "docs" / "accuracy.md").write_text(render())


if __name__ == "__main__":
    main()
