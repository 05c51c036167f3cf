"""Fault parsing, matching and consumption."""

from __future__ import annotations

import pytest

from hearth.sandbox.faults import FaultBoard, parse_fault


def test_defaults_per_kind():
    limit = parse_fault({"kind": "rate_limit"}, 1)
    assert (limit.operation, limit.remaining, limit.retry_after, limit.applied) == (
        "any",
        1,
        3,
        False,
    )
    timeout = parse_fault({"kind": "timeout_after_accept"}, 2)
    assert (timeout.operation, timeout.applied, timeout.stall_seconds) == ("create", True, 30.0)
    assert parse_fault({"kind": "server_error"}, 3).status == 503


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "JSON object"),
        ({"kind": "meteor"}, "kind must be one of"),
        ({"kind": "rate_limit", "count": 0}, "count must be an integer"),
        ({"kind": "rate_limit", "count": True}, "count must be an integer"),
        ({"kind": "rate_limit", "retry_after": -1}, "retry_after"),
        ({"kind": "server_error", "status": 404}, "status must be an integer"),
        ({"kind": "server_error", "status": 600}, "5xx"),
        ({"kind": "rate_limit", "operation": "write"}, "operation must be one of"),
        ({"kind": "timeout_after_accept", "stall_seconds": "long"}, "stall_seconds"),
        ({"kind": "rate_limit", "colour": "red"}, "unknown field"),
    ],
)
def test_bad_faults_are_explained(body, message):
    with pytest.raises(ValueError, match=message):
        parse_fault(body, 1)


def test_board_consumes_in_arming_order_and_matches_account_and_operation():
    board = FaultBoard()
    board.arm({"kind": "rate_limit", "count": 2, "account": "coach", "operation": "read"})
    board.arm({"kind": "server_error"})
    coach, other = ("1", "coach"), ("2", "other")
    assert board.take(other, "read") is None  # aimed at coach; server_error is for creates
    assert board.take(coach, "read").kind == "rate_limit"
    assert board.take(("1", "x"), "create").kind == "server_error"  # by id or handle, any account
    assert [f.remaining for f in board.active()] == [1]
    assert board.take(coach, "read").remaining == 0
    assert board.active() == [] and board.take(coach, "read") is None


def test_clear_removes_everything():
    board = FaultBoard()
    board.arm({"kind": "duplicate", "count": 5})
    board.clear()
    assert board.active() == []
