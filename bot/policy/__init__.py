"""Pure decisions: whether a meeting may be recorded, a document shared, and which role is stated.

Nothing in this package performs I/O; every function is a function of the data it is given.
"""

from bot.policy.blockers import Blocker, BlockerCode
from bot.policy.recording_gate import RecordingVerdict, evaluate_recording
from bot.policy.role_statement import RoleStatement, decide_role
from bot.policy.share_gate import ShareVerdict, evaluate_share

__all__ = [
    "Blocker",
    "BlockerCode",
    "RecordingVerdict",
    "RoleStatement",
    "ShareVerdict",
    "decide_role",
    "evaluate_recording",
    "evaluate_share",
]
