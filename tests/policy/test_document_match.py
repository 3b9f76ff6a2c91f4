"""Matching a file posted in a meeting chat, or a `share <title>` request, to the meeting's
proposed documents: by link first, then by name; nothing matched is nothing proposed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.policy.blockers import BlockerCode
from bot.policy.document_match import (
    FILE_EXTENSIONS,
    NO_MATCH,
    CandidateDocument,
    DocumentMatch,
    FileSeen,
    MatchBasis,
    match_posted_file,
    match_title,
    normalised_url,
    share_verdicts,
    title_key,
)
from domain.terms import Topic

from .builders import PARENT, SENCO, listed, meeting, reply

DRIVE = "https://iass.sharepoint.com/personal/priya_raman_iass_example/Documents"
EHCP = CandidateDocument("doc-ehcp", "Draft EHCP", f"{DRIVE}/Plans/Draft%20EHCP.docx")
REPORT = CandidateDocument(
    "doc-report", "School report (Spring term)", "https://iass.sharepoint.com/:w:/g/personal/p/EaB1"
)
PROPOSED = (EHCP, REPORT)


def posted(name: str, *addresses: str) -> FileSeen:
    return FileSeen(name, addresses or (f"{DRIVE}/Microsoft%20Teams%20Chat%20Files/x.docx",))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("https://host/a/Doc%20One.docx", "https://HOST/a/doc one.DOCX"),
        ("https://host/a/doc/", "https://host/a/doc"),
        ("http://host/a/doc", "https://host/a/doc"),
        ("https://host/a/doc#page=2", "https://host/a/doc"),
        ("https://host/:w:/g/E1?e=Ab12Cd", "https://host/:w:/g/E1"),
        ("https://host/view?id=5&b=1", "https://host/view?b=1&id=5"),
        ("  https://host/a/doc  ", "https://host/a/doc"),
    ],
)
def test_urls_that_name_the_same_file_are_equal(first: str, second: str) -> None:
    assert normalised_url(first) == normalised_url(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("https://host/a/doc", "https://other/a/doc"),
        ("https://host/a/doc", "https://host/a/doc2"),
        ("https://host/view?id=5", "https://host/view?id=6"),
        ("https://host/view?id=5", "https://host/view"),
    ],
)
def test_urls_of_different_files_differ(first: str, second: str) -> None:
    assert normalised_url(first) != normalised_url(second)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Draft EHCP.docx", "draftehcp"),
        ("draft-ehcp.PDF", "draftehcp"),
        ("  Draft   EHCP  ", "draftehcp"),
        ("Draft_E.H.C.P.docx", "draftehcp"),
        ("School report (Spring term).docx", "schoolreportspringterm"),
        ("Report v1.2", "reportv12"),
        ("Report v1.2.docx", "reportv12"),
        ("Plan.final.docx", "planfinal"),
        ("Plan.final", "planfinal"),
        ("Ａｎｎｅｘ Ｂ.pdf", "annexb"),
        ("Évaluation.docx", "évaluation"),
        ("notes.docx.docx", "notesdocx"),
        ("...", ""),
    ],
)
def test_a_name_is_compared_without_case_extension_spaces_or_punctuation(
    name: str, key: str
) -> None:
    assert title_key(name) == key


def test_only_known_file_extensions_are_dropped() -> None:
    assert {"docx", "pdf", "xlsx", "pptx", "txt", "png"} <= FILE_EXTENSIONS
    assert title_key("Notes.abc") == "notesabc"


def test_a_file_at_a_documents_link_is_that_document() -> None:
    file = posted("Something else.docx", f"{DRIVE}/Plans/Draft EHCP.docx")
    assert match_posted_file(file, PROPOSED) == DocumentMatch(("doc-ehcp",), MatchBasis.LINK)


def test_the_same_drive_item_shared_by_its_link_is_that_document() -> None:
    own_address = f"{DRIVE}/Microsoft%20Teams%20Chat%20Files/Report.docx"
    file = posted("Report.docx", own_address, "https://iass.sharepoint.com/:w:/g/personal/p/EaB1")
    assert match_posted_file(file, PROPOSED) == DocumentMatch(("doc-report",), MatchBasis.LINK)


def test_failing_a_link_a_file_is_the_document_with_its_name() -> None:
    file = posted("school-report spring term.docx")
    assert match_posted_file(file, PROPOSED) == DocumentMatch(("doc-report",), MatchBasis.NAME)


def test_a_link_match_wins_over_a_name_match() -> None:
    file = posted("Draft EHCP.docx", REPORT.url)
    assert match_posted_file(file, PROPOSED) == DocumentMatch(("doc-report",), MatchBasis.LINK)


@pytest.mark.parametrize(
    "file",
    [
        posted("Draft EHCP 1.docx"),
        posted("Medical letter.pdf"),
        posted("Draft.docx"),
        posted("---.docx"),
        posted("Draft EHCP.docx", "https://iass.sharepoint.com/other.docx"),
    ],
)
def test_a_file_that_is_no_proposed_document_matches_nothing(file: FileSeen) -> None:
    unrelated = CandidateDocument("doc-x", "...", "https://example.org/x")
    assert match_posted_file(file, (*PROPOSED[1:], unrelated)) == NO_MATCH


def test_a_meeting_without_proposed_documents_matches_nothing() -> None:
    assert match_posted_file(posted("Draft EHCP.docx", EHCP.url), ()) == NO_MATCH


def test_a_document_without_a_link_is_matched_by_name_only() -> None:
    linkless = CandidateDocument("doc-l", "Letter", "")
    assert match_posted_file(posted("Letter.docx", ""), (linkless,)) == DocumentMatch(
        ("doc-l",), MatchBasis.NAME
    )


def test_a_name_that_fits_several_documents_names_them_all() -> None:
    again = CandidateDocument("doc-ehcp-2", "draft ehcp", "https://example.org/2")
    assert match_posted_file(posted("Draft EHCP.docx"), (EHCP, REPORT, again)) == DocumentMatch(
        ("doc-ehcp", "doc-ehcp-2"), MatchBasis.NAME
    )


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ("Draft EHCP", DocumentMatch(("doc-ehcp",), MatchBasis.NAME)),
        ("draft ehcp.docx", DocumentMatch(("doc-ehcp",), MatchBasis.NAME)),
        ("  School Report - spring term ", DocumentMatch(("doc-report",), MatchBasis.NAME)),
        ("School report", NO_MATCH),
        ("", NO_MATCH),
        ("?!", NO_MATCH),
    ],
)
def test_share_names_a_document_by_its_title(wanted: str, expected: DocumentMatch) -> None:
    assert match_title(wanted, PROPOSED) == expected


@given(
    st.text(
        alphabet=st.characters(
            categories=("L", "N", "P", "Zs"), max_codepoint=0xFF, exclude_characters="."
        ),
        max_size=30,
    ),
    st.sampled_from(sorted(FILE_EXTENSIONS)),
)
def test_a_title_matches_its_own_file_whatever_the_case(title: str, extension: str) -> None:
    document = CandidateDocument("doc-1", title, "https://example.org/1")
    file = posted(f"{title.upper()}.{extension}")
    expected = DocumentMatch(("doc-1",), MatchBasis.NAME) if title_key(title) else NO_MATCH
    assert match_posted_file(file, (document,)) == expected


D = Topic.DOCUMENTS
FACTS = meeting(
    (PARENT, SENCO),
    reply(PARENT, D, documents=("doc-ehcp",)),
    documents=(listed("doc-ehcp"), listed("doc-report")),
)


def codes(match: DocumentMatch) -> list[list[BlockerCode]]:
    return [[b.code for b in v.blockers] for v in share_verdicts(FACTS, match)]


def test_every_matched_document_goes_to_the_share_gate() -> None:
    assert codes(DocumentMatch(("doc-ehcp",), MatchBasis.LINK)) == [[]]
    assert codes(DocumentMatch(("doc-ehcp", "doc-report"), MatchBasis.NAME)) == [
        [],
        [BlockerCode.NOT_ASKED_ABOUT_DOCUMENT],
    ]


def test_no_match_goes_to_the_gate_as_an_unlisted_document() -> None:
    assert codes(NO_MATCH) == [[BlockerCode.NOT_LISTED, BlockerCode.NOT_ASKED_ABOUT_DOCUMENT]]
