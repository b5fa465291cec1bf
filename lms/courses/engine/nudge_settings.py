"""The `nudges:` setting of `course.md`: turn nudge rules off or tune them, checked with
its line.

    nudges:
      away: {days: 4}        # you have been away 4 days (default: AT_RISK_DAYS)
      not_started: {days: 2} # two days after the cohort starts (default 1)
      one_quiz_left: false   # off
    nudges: false            # every rule off
"""

from __future__ import annotations

from types import MappingProxyType

from lms.courses.engine.context import LoadContext as _Ctx
from lms.courses.engine.frontmatter import Document
from lms.courses.engine.model import NUDGE_RULES, NudgeRule

WITH_DAYS = {"not_started", "away"}


def parse_nudges(ctx: _Ctx, doc: Document, value: object) -> MappingProxyType:
    path = ctx.root / "course.md"
    line = doc.key_lines.get("nudges", 1)
    if value is None or value is True:
        return MappingProxyType({})
    if value is False:
        return MappingProxyType({rule: NudgeRule(enabled=False) for rule in NUDGE_RULES})
    if not isinstance(value, dict):
        ctx.error(path, line, "nudges must be a mapping of rule ids, or false")
        return MappingProxyType({})
    rules = {}
    for rule, setting in value.items():
        if rule not in NUDGE_RULES:
            known = ", ".join(NUDGE_RULES)
            ctx.error(path, line, f"unknown nudge rule {rule!r} (known: {known})")
            continue
        if isinstance(setting, bool):
            rules[rule] = NudgeRule(enabled=setting)
            continue
        if not isinstance(setting, dict):
            ctx.error(path, line, f"nudges.{rule} must be true, false or a mapping")
            continue
        allowed = {"enabled", "days"} if rule in WITH_DAYS else {"enabled"}
        for key in sorted(set(setting) - allowed):
            ctx.error(path, line, f"unknown key {key!r} in nudges.{rule}")
        days = setting.get("days")
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
            ctx.error(path, line, f"nudges.{rule}.days must be a whole number of days, at least 1")
            days = None
        enabled = setting.get("enabled", True)
        if not isinstance(enabled, bool):
            ctx.error(path, line, f"nudges.{rule}.enabled must be true or false")
            enabled = True
        rules[rule] = NudgeRule(enabled=enabled, days=days)
    return MappingProxyType(rules)
