"""The sandbox's own file attachment (`sandbox/teams/activities.py`, `file_attachment`) carries
every key of Microsoft's documented one (`file_attachment.json`: the page documents the
attachments only). What the bot as served does with the documented attachment, in a meeting
chat and in a personal chat, is `test_served_activities.py`."""

from __future__ import annotations

from datetime import UTC, datetime

from sandbox.files import DriveItem
from sandbox.teams.activities import file_attachment
from tests.conformance.documented import documented, shape_gaps


def test_the_sandbox_file_attachment_has_every_documented_key() -> None:
    (documented_attachment,) = documented("teams/file_attachment.json")["attachments"]
    item = DriveItem(
        id="01ABC",
        drive_id="b!drive",
        name="Plan.docx",
        parent_id="root",
        parent_path="/drive/root:",
        web_url="https://contoso.sharepoint.com/personal/a/Documents/Plan.docx",
        mime_type="application/octet-stream",
        content=b"x",
        created_at=datetime.now(UTC),
        created_by=None,  # type: ignore[arg-type]
    )
    built = file_attachment(item, "https://download.example/plan")
    assert shape_gaps(documented_attachment, built) == set()
