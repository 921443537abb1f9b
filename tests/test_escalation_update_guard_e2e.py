"""Update on an escalation: only responders lower a severity; a double submit posts one update."""

from __future__ import annotations

from conftest import ADMIN, HOST
from escalation_helpers import click, escalation, event_kinds, grant, raise_one
from slack_signing import view_submission_body
from test_parallel_edits_e2e import PARALLEL, audits, parallel


def _update_form(server, esc_id: int, user: str) -> dict:
    before = len(server.stub.calls_to("views.open"))
    click(server, "esc_update", esc_id, user)
    opened = server.stub.wait_for("views.open", before + 1)
    return opened[-1].params["view"]


def _state(note: str, severity: str | None) -> dict:
    return {"note": {"value": {"type": "plain_text_input", "value": note}},
            "severity": {"value": {"type": "static_select",
                                   "selected_option": {"value": severity} if severity else None}}}


def _submit(server, user: str, view: dict, note: str, severity: str | None):
    return server.slack._parsed(view_submission_body("escalation_update", user, _state(note, severity),
                                                     private_metadata=view["private_metadata"], blocks=view["blocks"]))


def test_host_cannot_lower_an_unacknowledged_sev1(server, db):
    grant(db, HOST, "host")
    esc_id = raise_one(server, HOST, severity="1")
    view = _update_form(server, esc_id, HOST)
    status, body = _submit(server, HOST, view, "never mind, it's minor", "4")
    assert status == 200 and body["response_action"] == "errors"
    assert "can lower SEV1" in body["errors"]["severity"] and "Associate" in body["errors"]["severity"]
    esc = escalation(db, esc_id)
    assert esc.severity == 1 and esc.last_update is None
    assert "updated" not in event_kinds(db, esc_id)


def test_host_may_still_raise_and_a_responder_may_lower(server, db):
    grant(db, HOST, "host")
    esc_id = raise_one(server, HOST, severity="3")
    status, body = _submit(server, HOST, _update_form(server, esc_id, HOST), "worse than it looked", "1")
    assert body["response_action"] == "clear"
    assert escalation(db, esc_id).severity == 1
    status, body = _submit(server, ADMIN, _update_form(server, esc_id, ADMIN), "contained; minor now", "4")
    assert body["response_action"] == "clear"
    assert escalation(db, esc_id).severity == 4


def test_twenty_parallel_update_submits_post_one_update(server, db):
    grant(db, HOST, "host")
    esc_id = raise_one(server, HOST, severity="3")
    view = _update_form(server, esc_id, HOST)
    body = view_submission_body("escalation_update", HOST, _state("link fixed on iOS", None),
                                private_metadata=view["private_metadata"], blocks=view["blocks"])
    answers = parallel(server, [body] * PARALLEL)
    assert sum(a.get("response_action") == "clear" for a in answers) == 1
    assert event_kinds(db, esc_id).count("updated") == 1
    assert audits(db, "escalation.updated") == 1


def test_twenty_parallel_resolve_submits_resolve_once(server, db):
    """Resolve was already compare-and-set on its status; the sweep keeps it so."""
    grant(db, HOST, "host")
    esc_id = raise_one(server, HOST, severity="2")
    before = len(server.stub.calls_to("views.open"))
    click(server, "esc_resolve", esc_id, ADMIN)
    view = server.stub.wait_for("views.open", before + 1)[-1].params["view"]
    state = {"note": {"value": {"type": "plain_text_input", "value": "Relisted the SKU"}},
             "cause": {"value": {"type": "static_select", "selected_option": {"value": "product"}}}}
    body = view_submission_body("escalation_resolve", ADMIN, state, private_metadata=view["private_metadata"],
                                blocks=view["blocks"])
    answers = parallel(server, [body] * PARALLEL)
    assert sum(a.get("response_action") == "clear" for a in answers) == 1
    assert event_kinds(db, esc_id).count("resolved") == 1
    assert audits(db, "escalation.resolved") == 1
