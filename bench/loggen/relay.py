"""The ``relay`` mix: a busy MTA, replaying the real corpus units in their own proportions."""

from __future__ import annotations

import math
from collections.abc import Iterator

from loggen.replay import Context, Host, Instance
from loggen.templates import Template

# Average log lines per second over a day; the hourly rate follows a daily
# curve between 30% (04:00) and 170% (16:00) of it.
LINES_PER_SECOND = 25.0


def daily_factor(moment: float) -> float:
    """Return the traffic multiplier for the time of day (a sine with its peak at 16:00)."""
    hour = (moment % 86400) / 3600
    return 1.0 + 0.7 * math.sin((hour - 10) / 24 * 2 * math.pi)


# Share of units taken from the sample bundles (content-filter hand-offs,
# bounce notices, expiries), which the corpus has few of.
BUNDLE_SHARE = 0.05


def relay_arrivals(
    context: Context,
    templates: list[Template],
    bundle_templates: list[Template],
    hosts: tuple[Host, Host],
    long_id_share: float,
    start: float,
) -> Iterator[Instance]:
    """Yield corpus units as a Poisson stream whose rate follows the daily curve."""
    usable = [t for t in templates if t.complete and t.lines]
    extra = [t for t in bundle_templates if t.complete and t.is_message]
    if not usable:
        raise ValueError("the corpus gave no complete units to replay")
    mean_lines = sum(len(t.lines) for t in usable) / len(usable)
    peak_rate = LINES_PER_SECOND / mean_lines * 1.7
    rng = context.rng
    moment = start
    while True:
        # Thinning: candidates at the peak rate, kept in proportion to the curve.
        moment += rng.expovariate(peak_rate)
        if rng.random() * 1.7 > daily_factor(moment):
            continue
        if extra and rng.random() < BUNDLE_SHARE:
            template = extra[rng.randrange(len(extra))]
        else:
            template = usable[rng.randrange(len(usable))]
        host = (
            hosts[1]
            if template.is_message and rng.random() < long_id_share
            else hosts[0]
        )
        times = [moment + line.offset for line in template.lines]
        context.count("units")
        yield Instance(context, host, times, template.lines)
