"""The inventory itself: waivers in force (or expired) and the state of the mail survey."""

from __future__ import annotations

import datetime as dt

from cutover.evidence.collectors import now, policy_titles
from cutover.evidence.model import Action, Check
from cutover.inventory import Site


def waivers(site: Site, as_of: dt.date) -> list[Check]:
    checks = []
    for waiver in site.config.waivers:
        title_ja, title_en = policy_titles(waiver.policy)
        active = waiver.expires >= as_of
        scope = f" [{waiver.scope}]" if waiver.scope else ""
        on_pc = bool(waiver.scope) and waiver.policy == "endpoint-readiness"
        checks.append(Check(
            id=f"inventory.waiver.{waiver.policy}" + (f".{waiver.scope}" if waiver.scope and not on_pc else ""),
            title_ja=f"例外承認: {title_ja}", title_en=f"Waiver: {title_en}", area="inventory",
            status="waived" if active else "fail",
            message=(f"{waiver.policy}{scope} waived until {waiver.expires}: {waiver.reason}" if active
                     else f"{waiver.policy}{scope} waiver expired on {waiver.expires}: renew or remove it"),
            source="inventory", host=waiver.scope if on_pc else None,
            data={"reason": waiver.reason, "expires": waiver.expires.isoformat(), "approved_by": waiver.approved_by,
                  "days_left": (waiver.expires - as_of).days},
            timestamp=now(),
        ))
    if not checks:  # auditors see that nothing is waived (shared-key waivers are gone since issue #13)
        checks.append(Check(id="inventory.waivers", title_ja="例外承認", title_en="Waivers", area="inventory",
                            status="pass", message="no waiver in site.yml", source="inventory", timestamp=now()))
    return checks


def survey(site: Site) -> tuple[list[Check], list[Action]]:
    """Every address must have an answer; personal POP addresses need the client change."""
    unanswered = [m.address for m in site.mail if m.client == "unknown"]
    personal_pop = [m.address for m in site.mail if m.needs_client_change]
    on_no_pc = [m.address for m in site.mail if m.needs_client_change and not m.endpoints]
    stamp = now()
    checks = [
        Check(id="mail.survey.answered", title_ja="メール調査の回答", title_en="Mail survey answered", area="mail",
              status="fail" if unanswered else "pass",
              message=(f"{len(unanswered)} of {len(site.mail)} addresses unanswered" if unanswered
                       else f"all {len(site.mail)} addresses answered"),
              source="survey", data={"unanswered": unanswered}, timestamp=stamp),
        Check(id="mail.survey.pcs_known", title_ja="メーラー設定端末の把握", title_en="PCs of POP mailers known",
              area="mail", status="fail" if on_no_pc else "pass",
              message=(f"{len(on_no_pc)} personal POP addresses name no PC" if on_no_pc
                       else f"all {len(personal_pop)} personal POP addresses name their PCs"),
              source="survey", data={"addresses": on_no_pc}, timestamp=stamp),
    ]
    actions = []
    if unanswered:
        actions.append(Action(id="mail.survey.answer", source="survey",
                              message_ja=f"メール調査に未回答のアドレスが {len(unanswered)} 件あります。"
                                         "回答してください",
                              message_en=f"{len(unanswered)} addresses have no survey answer yet"))
    for address in on_no_pc:
        actions.append(Action(id="mail.survey.pc_missing", source="survey",
                              message_ja=f"{address}: メーラーを設定しているPCを回答してください",
                              message_en=f"{address}: name the PC where the mailer is configured"))
    return checks, actions
