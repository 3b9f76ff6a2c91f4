"""Whether the service user can be asked permission for a legal request: the email says who
asked, why, and what would be sent, so it cannot be asked once any of that was disposed of
under the retention schedule, nor without their name and address."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.policy.legal_permission import NotAskable, why_not_askable


@pytest.mark.parametrize(
    ("request_disposed", "meetings_disposed", "address_kept", "expected"),
    [
        (False, 0, True, None),
        (False, 1, True, NotAskable.MEETINGS_DISPOSED),
        (False, 3, True, NotAskable.MEETINGS_DISPOSED),
        (False, 0, False, NotAskable.ADDRESS_NOT_KEPT),
        (False, 2, False, NotAskable.MEETINGS_DISPOSED),
        (True, 2, False, NotAskable.REQUEST_DISPOSED),
        (True, 1, True, NotAskable.REQUEST_DISPOSED),
    ],
)
def test_examples(
    request_disposed: bool, meetings_disposed: int, address_kept: bool, expected: NotAskable | None
) -> None:
    assert (
        why_not_askable(
            request_disposed=request_disposed,
            meetings_disposed=meetings_disposed,
            address_kept=address_kept,
        )
        is expected
    )


@given(st.booleans(), st.integers(min_value=0, max_value=20), st.booleans())
def test_asked_only_when_everything_the_email_says_is_still_held(
    request_disposed: bool, meetings_disposed: int, address_kept: bool
) -> None:
    reason = why_not_askable(
        request_disposed=request_disposed,
        meetings_disposed=meetings_disposed,
        address_kept=address_kept,
    )
    held = not request_disposed and meetings_disposed == 0 and address_kept
    assert (reason is None) == held
