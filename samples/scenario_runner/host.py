"""Process that runs one sample host inside its namespaces.

Started by ``runner`` as ``ip netns exec NS unshare -m -u --propagation private
python -m scenario_runner.host SCENARIO INDEX DIR``. It writes everything it
learns to DIR: the collected bundle files under ``collected/`` and the host's
share of the ground truth in ``host-result.json``.
"""

from __future__ import annotations

import json
import logging
import mailbox
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from email.utils import formatdate
from pathlib import Path
from typing import Any

from . import truth
from .dns_stub import DnsStub
from .model import HostPlan
from .namespace import add_loopback_addresses, apply_nft_rules, enter_private_root
from .postfix_instance import PostfixInstance, copy_meta_files
from .smtp_sink import SinkPool, read_jsonl
from .syslog_capture import MailLog

logger = logging.getLogger(__name__)

RUN_DIR = Path("/run/sample")

OFFENSE_NAMES = (
    "Excessive Firewall Denies Between Hosts",
    "Multiple Login Failures for the Same User",
    "Local L2R LAN to WAN Scanner Detected",
    "Potential Data Exfiltration by Outbound Transfer",
    "Login Failure Followed by Success From Remote Host",
    "Destination Asset Weakness Exploited",
)


class HostContext:
    """Handle on a running host for a scenario's ``drive`` function.

    It submits mail, waits for conditions and runs the administrator's commands.
    """

    def __init__(self, plan: HostPlan, scenario_name: str, host_dir: Path) -> None:
        self.plan = plan
        self.scenario_name = scenario_name
        self.hostname = plan.hostname
        self.host_dir = host_dir
        self.collected = host_dir / "collected"
        self.collected.mkdir(parents=True, exist_ok=True)
        self.sink_state = host_dir / "sinks"
        self.sink_state.mkdir(exist_ok=True)

        self.maillog = MailLog(plan.log_format, plan.log_name, RUN_DIR)
        settings = dict(plan.settings)
        if plan.log_format == "maillog_file":
            settings["maillog_file"] = f"/var/log/{plan.log_name}"
        self.postfix = PostfixInstance(
            plan.hostname,
            settings,
            plan.master_cf_extra,
            plan.hash_maps,
            plan.extra_aliases,
        )
        self.sinks = SinkPool(plan.sinks, self.sink_state)
        self.dns = DnsStub(
            plan.dns.with_defaults(plan.hostname), host_dir / "dns-queries.jsonl"
        )

        self.sent: list[dict[str, Any]] = []
        self.deleted: list[dict[str, Any]] = []
        self.commands_captured = False
        self.myorigin = ""
        self.offense_counter = 4100
        # send_many() calls send() from several threads.
        self.counter_lock = threading.Lock()

    # Start and stop

    def start(self) -> None:
        addresses = sorted(
            {
                sink.address
                for sink in self.plan.sinks
                if not sink.address.startswith("127.")
            }
            | set(self.plan.source_addresses)
        )
        add_loopback_addresses(addresses)
        apply_nft_rules(self.plan.nft_rules)
        self.dns.start()
        self.maillog.start()
        self.postfix.write_config()
        self.postfix.start()
        self.myorigin = subprocess.run(
            ["postconf", "-h", "-x", "myorigin"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        self.sinks.start_initial()

    def finish(self) -> dict[str, Any]:
        """Collect the bundle files and the host's truth data, then stop everything."""
        if not self.commands_captured:
            self.capture_commands()
        final_queue = self.postfix.queue_entries()
        self.collect_files()
        self.postfix.stop()
        self.maillog.stop()
        self.sinks.stop_all()
        self.dns.stop()
        return {
            "hostname": self.hostname,
            "myorigin": self.myorigin,
            "sent": self.sent,
            "receptions": read_jsonl(self.sink_state / "receptions.jsonl"),
            "rejections": read_jsonl(self.sink_state / "rejections.jsonl"),
            "filter_sinks": [sink.name for sink in self.plan.sinks if sink.reinject_to],
            "mailbox": read_mailboxes(),
            "final_queue": final_queue,
            "deleted": self.deleted,
        }

    # Mail submission

    def send(
        self,
        recipients: list[str],
        *,
        envelope_sender: str | None = None,
        header_from: str | None = None,
        size: int = 0,
        on_command_line: bool = False,
    ) -> dict[str, Any]:
        """Submit one offense notification with sendmail, as QRadar does as root.

        SIZE pads the body to about that many bytes.
        """
        with self.counter_lock:
            self.offense_counter += 1
            offense = self.offense_counter
        message_id = f"<{time.time_ns()}.{offense}.JavaMail.root@{self.hostname}>"
        name = OFFENSE_NAMES[offense % len(OFFENSE_NAMES)]
        body = (
            f"Offense ID: {offense}\n"
            f"Offense description: {name}\n"
            "Magnitude: 6\n"
            "Source IP: 198.51.100.23\n"
            "Destination IP: 203.0.113.80\n"
            f"Console: https://{self.hostname}/console/qradar/jsp/QRadar.jsp\n"
        )
        while len(body) < size:
            body += "Event payload: " + "x" * 60 + "\n"
        text = (
            f"From: {header_from or 'root@' + self.hostname}\n"
            f"To: {', '.join(recipients)}\n"
            f"Subject: QRadar Offense {offense}: {name}\n"
            f"Message-ID: {message_id}\n"
            f"Date: {formatdate(localtime=True)}\n"
            "MIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=UTF-8\n"
            "\n" + body
        )
        args = ["sendmail", "-i"]
        if envelope_sender:
            args += ["-f", envelope_sender]
        args += ["--", *recipients] if on_command_line else ["-t"]
        subprocess.run(args, input=text, text=True, check=True, capture_output=True)
        record = {
            "message_id": message_id,
            "sender": self.qualify(envelope_sender or "root"),
            "recipients": [self.qualify(address) for address in recipients],
            "submitted_at": time.time(),
        }
        self.sent.append(record)
        return record

    def send_many(self, count: int, recipients: list[str], workers: int = 8) -> None:
        """Submit COUNT messages from WORKERS parallel sendmail processes."""
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda _: self.send(recipients), range(count)))

    def qualify(self, address: str) -> str:
        """Append @myorigin to a bare local name, as Postfix's trivial-rewrite does."""
        return address if "@" in address else f"{address}@{self.myorigin}"

    # Waiting

    def wait_until(
        self, predicate: Callable[[], bool], timeout: float, condition: str
    ) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"timed out after {timeout:.0f} s waiting for {condition}"
                )
            time.sleep(0.5)

    def wait_queue_empty(self, timeout: float = 60) -> None:
        self.wait_until(self.postfix.queue_is_empty, timeout, "an empty mail queue")

    def accepted_receptions(self, sink: str | None = None) -> list[dict[str, Any]]:
        return [
            record
            for record in read_jsonl(self.sink_state / "receptions.jsonl")
            if record["accepted"] and (sink is None or record["sink"] == sink)
        ]

    def wait_receptions(
        self, count: int, timeout: float = 60, sink: str | None = None
    ) -> None:
        self.wait_until(
            lambda: len(self.accepted_receptions(sink)) >= count,
            timeout,
            f"{count} messages accepted by sink {sink or 'any'}",
        )

    def wait_mailbox(self, count: int, timeout: float = 60) -> None:
        self.wait_until(
            lambda: len(read_mailboxes()) >= count,
            timeout,
            f"{count} messages in /var/mail",
        )

    def wait_deferred(self, count: int, timeout: float = 60) -> None:
        """Wait until COUNT messages are in the deferred queue."""
        self.wait_until(
            lambda: (
                sum(entry["queue_name"] == "deferred" for entry in self.queue())
                >= count
            ),
            timeout,
            f"{count} deferred messages",
        )

    def queue(self) -> list[dict[str, Any]]:
        output = self.postfix.postqueue_json()
        return [json.loads(line) for line in output.splitlines() if line.strip()]

    # Administration, as the customer or support would do it

    def capture_commands(self) -> None:
        """Save mailq, postqueue -j and postconf -n output, as a bundle script does."""
        (self.collected / "mailq.txt").write_text(self.postfix.mailq())
        (self.collected / "postqueue-j.json").write_text(self.postfix.postqueue_json())
        (self.collected / "postconf-n.txt").write_text(self.postfix.postconf_n())
        self.commands_captured = True
        logger.info("captured mailq, postqueue -j and postconf -n")

    def delete_all(self) -> str:
        """Delete the whole queue with postsuper -d ALL, keeping a listing first."""
        self.deleted += self.postfix.queue_entries()
        return self.postfix.postsuper("-d", "ALL")

    def delete(self, queue_ids: list[str]) -> str:
        """Delete QUEUE_IDS with one postsuper command, keeping their listing first."""
        selected_ids = set(queue_ids)
        for entry in self.queue():
            if entry["queue_id"] in selected_ids:
                self.deleted.append(
                    entry | self.postfix.message_headers(entry["queue_id"])
                )
        arguments = [
            argument for queue_id in queue_ids for argument in ("-d", queue_id)
        ]
        return self.postfix.postsuper(*arguments)

    def hold(self, queue_ids: list[str]) -> None:
        """Put QUEUE_IDS on hold with one postsuper command."""
        arguments = [
            argument for queue_id in queue_ids for argument in ("-h", queue_id)
        ]
        self.postfix.postsuper(*arguments)

    def flush(self) -> None:
        self.postfix.flush()

    def collect_files(self) -> None:
        logs = self.collected / "logs"
        logs.mkdir(exist_ok=True)
        time.sleep(1.5)
        for path in self.maillog.files():
            if path.exists():
                shutil.copy2(path, logs / path.name)
        for name in ("main.cf", "master.cf"):
            shutil.copy2(Path("/etc/postfix") / name, self.collected / name)


def read_mailboxes() -> list[dict[str, Any]]:
    """Parse every mbox file in /var/mail into the fields truth.py needs."""
    messages: list[dict[str, Any]] = []
    for path in sorted(Path("/var/mail").glob("*")):
        if not path.is_file() or path.name.endswith(".lock"):
            continue
        for message in mailbox.mbox(path, create=False):
            messages.append(truth.describe_mailbox_message(path.name, message))
    return messages


def main() -> int:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s: %(message)s",
        stream=sys.stderr,
    )
    # aiosmtpd logs every SMTP command at INFO; the sinks record what matters.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    from .scenarios import SCENARIOS

    scenario_name, index, host_dir = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    plan = SCENARIOS[scenario_name].hosts[index]
    copy_meta_files(host_dir / "root" / "etc" / "postfix")
    enter_private_root(host_dir / "root", plan.hostname)
    context = HostContext(plan, scenario_name, host_dir)
    failure: BaseException | None = None
    try:
        context.start()
        plan.drive(context)
    except BaseException as error:
        failure = error
        logger.exception("scenario %s failed on %s", scenario_name, plan.hostname)
    try:
        result = context.finish()
    except Exception as error:
        logger.exception("collecting the results of %s failed", plan.hostname)
        failure = failure or error
        result = {"hostname": plan.hostname}
    result["error"] = None if failure is None else repr(failure)
    (host_dir / "host-result.json").write_text(json.dumps(result, indent=1))
    return 0 if failure is None else 1


if __name__ == "__main__":
    sys.exit(main())
