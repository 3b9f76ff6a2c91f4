"""Only the words an HTML reply shows count: a "Yes" hidden from its reader never gives consent.

Each reply below comes from the invited sender, authenticated, as HTML only (as Apple Mail,
Word and scripts send it), so nothing but the HTML decides.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.intake import ConsentReply, classify_email
from bot.intake.reply_text import html_to_text
from domain.terms import AuthVerdict, Decision

CONSENT = "Yes, I agree to everything."


def html_reply(html: str) -> ConsentReply:
    return reply('text/html; charset="utf-8"', html)


def reply(content_type: str, body: str) -> ConsentReply:
    raw = (
        "Authentication-Results: spf=pass (sender IP is 203.0.113.25) smtp.mailfrom=example.com;"
        " dkim=pass (signature was verified) header.d=example.com;dmarc=pass action=none"
        " header.from=example.com;compauth=pass reason=100\r\n"
        "From: Kelly Ashworth <kelly.ashworth84@example.com>\r\n"
        "To: Northshire SEND IASS consent <consent@iass.example.com>\r\n"
        "Subject: RE: Your meeting with Northshire SEND IASS: please reply [IASS-7K3M9Q2P]\r\n"
        "Message-ID: <0017.25167e93@mail.example.com>\r\n"
        "MIME-Version: 1.0\r\n"
        f"Content-Type: {content_type}\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n" + body
    ).encode()
    result = classify_email(raw)
    assert isinstance(result, ConsentReply)
    assert result.authenticated is AuthVerdict.PASS
    return result


def gives_consent(reply: ConsentReply) -> bool:
    return Decision.GIVEN in {f.decision for f in reply.classification.findings.values()}


HIDDEN = {
    "title": f"<html><head><title>{CONSENT}</title></head><body><p>Thanks</p></body></html>",
    "title in the body": f"<p>Thanks</p><title>{CONSENT}</title>",
    "script": f"<p>Thanks</p><script>var a = '{CONSENT}';</script>",
    "style": f"<p>Thanks</p><style>/* {CONSENT} */ p {{margin:0}}</style>",
    "template": f"<p>Thanks</p><template><p>{CONSENT}</p></template>",
    "noscript": f"<p>Thanks</p><noscript>{CONSENT}</noscript>",
    "comment": f"<p>Thanks</p><!-- {CONSENT} -->",
    "Outlook conditional comment": f"<p>Thanks</p><!--[if mso]><p>{CONSENT}</p><![endif]-->",
    "hidden attribute": f"<p>Thanks</p><div hidden>{CONSENT}</div>",
    "hidden until found": f'<p>Thanks</p><div hidden="until-found">{CONSENT}</div>',
    "aria-hidden": f'<p>Thanks</p><div aria-hidden="TRUE">{CONSENT}</div>',
    "display none": f'<p>Thanks</p><div style="display:none">{CONSENT}</div>',
    "display none, important, upper case": (
        f'<p>Thanks</p><div style="DISPLAY: NONE !IMPORTANT">{CONSENT}</div>'
    ),
    "display none behind a comment": f'<p>Thanks</p><div style="display:/**/none">{CONSENT}</div>',
    "display none then an invalid value": (
        f'<p>Thanks</p><div style="display:none;display:bogus">{CONSENT}</div>'
    ),
    "css escape": f'<p>Thanks</p><div style="displa\\79:none">{CONSENT}</div>',
    "visibility hidden": f'<p>Thanks</p><span style="visibility:hidden">{CONSENT}</span>',
    "visibility collapse": f'<p>Thanks</p><span style="visibility: collapse">{CONSENT}</span>',
    "opacity 0": f'<p>Thanks</p><div style="opacity:0">{CONSENT}</div>',
    "opacity 0.05": f'<p>Thanks</p><div style="opacity:.05">{CONSENT}</div>',
    "opacity 0% inside opacity": (
        f'<p>Thanks</p><div style="opacity:0.4"><p style="opacity:30%">{CONSENT}</p></div>'
    ),
    "font-size 0": f'<p>Thanks</p><span style="font-size:0">{CONSENT}</span>',
    "font-size 1px": f'<p>Thanks</p><span style="font-size:1px">{CONSENT}</span>',
    "font-size 0pt": f'<p>Thanks</p><span style="font-size:0pt">{CONSENT}</span>',
    "font shorthand 0/0": f'<p>Thanks</p><span style="font:0/0 a">{CONSENT}</span>',
    "font-size shrunk twice": (
        '<p>Thanks</p><div style="font-size:25%">'
        f'<span style="font-size:0.5em">{CONSENT}</span></div>'
    ),
    "max-height 0 overflow hidden": (
        f'<p>Thanks</p><div style="max-height:0;overflow:hidden">{CONSENT}</div>'
    ),
    "height 0 overflow hidden": (
        f'<p>Thanks</p><div style="height:0px;overflow:hidden">{CONSENT}</div>'
    ),
    "width 0 overflow hidden on an ancestor": (
        f'<p>Thanks</p><div style="overflow:hidden"><div style="width:0">{CONSENT}</div></div>'
    ),
    "line-height 0 overflow hidden": (
        f'<p>Thanks</p><div style="line-height:0;overflow-y:hidden">{CONSENT}</div>'
    ),
    "mso-hide all": f"<p>Thanks</p><span style='mso-hide:all'>{CONSENT}</span>",
    "white #fff": f'<p>Thanks</p><p style="color:#fff">{CONSENT}</p>',
    "white named": f'<p>Thanks</p><p style="color:white">{CONSENT}</p>',
    "white #ffffff": f'<p>Thanks</p><p style="color:#FFFFFF">{CONSENT}</p>',
    "white rgb()": f'<p>Thanks</p><p style="color:rgb(255, 255, 255)">{CONSENT}</p>',
    "white rgb() modern": f'<p>Thanks</p><p style="color:rgb(100% 100% 100% / 1)">{CONSENT}</p>',
    "white hsl()": f'<p>Thanks</p><p style="color:hsl(0, 0%, 100%)">{CONSENT}</p>',
    "white on a white background": (
        f'<p>Thanks</p><p style="color:#fff;background-color:#ffffff">{CONSENT}</p>'
    ),
    "white on an ancestor's white background": (
        f'<div style="background:white"><p>Thanks</p><p style="color:white">{CONSENT}</p></div>'
    ),
    "white font element in a white table cell": (
        '<p>Thanks</p><table bgcolor="#FFFFFF"><tr><td>'
        f'<font color="#ffffff">{CONSENT}</font></td></tr></table>'
    ),
    "body text attribute": f'<body text="#ffffff"><p>{CONSENT}</p></body>',
    "near white": f'<p>Thanks</p><p style="color:#fefefe">{CONSENT}</p>',
    "colour equals background": (
        f'<p>Thanks</p><p style="color:#336699;background:#336699">{CONSENT}</p>'
    ),
    "black on a black ancestor": (
        f'<p>Thanks</p><div style="background:#000"><p style="color:black">{CONSENT}</p></div>'
    ),
    "transparent text": f'<p>Thanks</p><p style="color:transparent">{CONSENT}</p>',
    "fully transparent rgba": f'<p>Thanks</p><p style="color:rgba(0,0,0,0)">{CONSENT}</p>',
    "faint rgba": f'<p>Thanks</p><p style="color:rgba(0,0,0,0.03)">{CONSENT}</p>',
    "webkit text fill": (
        f'<p>Thanks</p><p style="color:#000;-webkit-text-fill-color:#fff">{CONSENT}</p>'
    ),
    "background as text colour": (
        f'<p>Thanks</p><p style="color:#123;background:currentcolor">{CONSENT}</p>'
    ),
    "unknown colour": f'<p>Thanks</p><p style="color:var(--ink)">{CONSENT}</p>',
    "background image": (
        f'<p>Thanks</p><p style="color:#fff;background:url(dark.png)">{CONSENT}</p>'
    ),
    "text-indent off the page": f'<p>Thanks</p><p style="text-indent:-9999px">{CONSENT}</p>',
    "absolute off the page": (
        f'<p>Thanks</p><p style="position:absolute;left:-9999px">{CONSENT}</p>'
    ),
    "margin off the page": f'<p>Thanks</p><p style="margin:0 0 0 -200em">{CONSENT}</p>',
    "scaled to nothing": f'<p>Thanks</p><p style="transform:scale(0)">{CONSENT}</p>',
    "clipped": f'<p>Thanks</p><p style="clip-path:inset(50%)">{CONSENT}</p>',
    "filtered": f'<p>Thanks</p><p style="filter:opacity(0)">{CONSENT}</p>',
    "zoomed to nothing": f'<p>Thanks</p><p style="zoom:0.01">{CONSENT}</p>',
    "letters on top of each other": (f'<p>Thanks</p><p style="letter-spacing:-1em">{CONSENT}</p>'),
    "closed details": f"<p>Thanks</p><details><summary>More</summary>{CONSENT}</details>",
    "closed dialog": f"<p>Thanks</p><dialog><p>{CONSENT}</p></dialog>",
    "textarea": f"<p>Thanks</p><textarea>{CONSENT}</textarea>",
    "svg": f"<p>Thanks</p><svg><text>{CONSENT}</text></svg>",
    "style sheet class": (
        f"<style>.x {{ display: none }}</style><p>Thanks</p><p class=x>{CONSENT}</p>"
    ),
    "style sheet id in a media query": (
        "<style>@media screen { p#a.b:first-child { visibility: hidden !important } }</style>"
        f'<p>Thanks</p><p id="A" class="b c">{CONSENT}</p>'
    ),
    "style sheet colour by tag": (
        f"<style>span {{ color: #fff }}</style><p>Thanks</p><p><span>{CONSENT}</span></p>"
    ),
    "style sheet universal selector": (
        f"<style>[data-x] {{ font-size: 0 }}</style><p>Thanks</p><p data-x>{CONSENT}</p>"
    ),
    "style sheet after the quoted request": (
        f'<p>Thanks</p><p class="q">{CONSENT}</p><blockquote>Request</blockquote>'
        "<style>.q{opacity:0}</style>"
    ),
    "style sheet left open": (
        f"<style>.x{{display:none</style><p>Thanks</p><p class=x>{CONSENT}</p>"
    ),
    "style sheet animation": (
        "<style>@keyframes f { to { opacity: 0 } } .a { animation: f 0s forwards }</style>"
        f"<p>Thanks</p><p class=a>{CONSENT}</p>"
    ),
    "style sheet generated content": (
        f"<style>p::before {{ content: 'No ' }}</style><p>{CONSENT}</p>"
    ),
    "style sheet imported": f"<style>@import url(x.css);</style><p>{CONSENT}</p>",
    "external style sheet": f'<link rel="stylesheet" href="x.css"><p>{CONSENT}</p>',
    "style sheet nesting": (
        "<style>.a { color: red; & p { display: none } }</style>"
        f"<div class=a><p>{CONSENT}</p></div>"
    ),
}


@pytest.mark.parametrize("html", HIDDEN.values(), ids=HIDDEN.keys())
def test_a_hidden_yes_gives_no_consent(html: str) -> None:
    reply = html_reply(html)
    assert not gives_consent(reply)
    assert "agree" not in reply.own_words.lower()


@pytest.mark.parametrize(
    "html",
    [HIDDEN["display none"], HIDDEN["white #fff"], HIDDEN["style sheet class"]],
)
def test_the_visible_words_beside_hidden_ones_are_still_read(html: str) -> None:
    assert html_reply(html).own_words == "Thanks"


VISIBLE = {
    "plain paragraph": f"<p>{CONSENT}</p>",
    "white on black": f'<p style="color:#fff;background:#000">{CONSENT}</p>',
    "white in a dark table cell": (
        f'<table bgcolor="#1F497D"><tr><td><font color="white">{CONSENT}</font></td></tr></table>'
    ),
    "grey small print": f'<p style="color:#777;font-size:8pt">{CONSENT}</p>',
    "Outlook on the web": (
        '<html><head><style type="text/css" style="display:none;"> P {margin-top:0;'
        'margin-bottom:0;} </style></head><body dir="ltr"><div style="font-family: Aptos, '
        f'Calibri, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);"><p>{CONSENT}</p></div>'
        "</body></html>"
    ),
    "Outlook for Windows": (
        "<html><head><style><!-- p.MsoNormal {margin:0cm;font-size:11.0pt;"
        'font-family:"Calibri",sans-serif;} span.EmailStyle17 {color:windowtext;} '
        "@page WordSection1 {size:612.0pt 792.0pt;} --></style></head><body lang=EN-GB "
        f'link="#0563C1"><div class=WordSection1><p class=MsoNormal>{CONSENT}<o:p></o:p></p>'
        "</div></body></html>"
    ),
    "visible child of an invisible parent": (
        f'<div style="visibility:hidden">x<p style="visibility:visible">{CONSENT}</p></div>'
    ),
    "Word list indent": f"<p style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'>{CONSENT}</p>",
    "overflow hidden with room": (
        f'<div style="overflow:hidden;width:100%;max-height:400px">{CONSENT}</div>'
    ),
    "style sheet for another class": (
        f"<style>.x {{ display: none }}</style><p class=y>{CONSENT}</p><p class=x>No</p>"
    ),
}


@pytest.mark.parametrize("html", VISIBLE.values(), ids=VISIBLE.keys())
def test_a_visible_yes_is_read(html: str) -> None:
    reply = html_reply(html)
    assert gives_consent(reply)
    assert not reply.classification.needs_review


def test_text_after_a_hidden_element_is_kept() -> None:
    assert html_to_text('<p>No <span style="display:none">Yes</span>thank you</p>') == (
        "No thank you"
    )


# Hypothesis: a consent phrase wrapped in any hiding technique, among visible benign content,
# nested at any depth inside visible markup, never gives consent.

CONSENT_WORDS = st.sampled_from(
    [
        "Yes",
        "Yes, I agree to everything.",
        "I agree",
        "Happy for it to be recorded",
        "That's fine by me",
        "I consent to recording, documents and contribution.",
        "Recording: yes\nDocuments: yes",
    ]
)
BENIGN = st.sampled_from(
    [
        "Hi Priya",
        "Thanks for your email",
        "See you then",
        "I will ask my sister to come too",
        "What time does it finish?",
        "Hope you are well",
        "<b>Hello</b>",
        "<a href='https://example.org'>our school</a>",
        "<img src='cid:logo' alt='Yes'>",
        "&nbsp;",
    ]
)
HIDING = st.sampled_from(
    [
        "<div style='display:none'>{}</div>",
        "<span hidden>{}</span>",
        "<span aria-hidden='true'>{}</span>",
        "<title>{}</title>",
        "<script>{}</script>",
        "<style>{}</style>",
        "<template>{}</template>",
        "<noscript>{}</noscript>",
        "<!-- {} -->",
        "<span style='visibility:hidden'>{}</span>",
        "<span style='opacity:0'>{}</span>",
        "<span style='font-size:0'>{}</span>",
        "<span style='font-size:1px'>{}</span>",
        "<div style='max-height:0;overflow:hidden'>{}</div>",
        "<div style='height:0;overflow:hidden'>{}</div>",
        "<span style='mso-hide:all'>{}</span>",
        "<span style='color:#fff'>{}</span>",
        "<span style='color:white;background:#FFFFFF'>{}</span>",
        "<span style='color:rgb(255,255,255)'>{}</span>",
        "<font color='#ffffff'>{}</font>",
        "<span style='color:#abcdef;background-color:#abcdef'>{}</span>",
        "<span style='color:transparent'>{}</span>",
        "<p style='text-indent:-9999px'>{}</p>",
        "<span class='h'>{}</span><style>.h{{display:none}}</style>",
    ]
)
VISIBLE_WRAPPERS = st.sampled_from(
    [
        "<div>{}</div>",
        "<p>{}</p>",
        "<span style='color:#333;font-size:12pt'>{}</span>",
        "<table><tr><td>{}</td></tr></table>",
        "<div style='font-family:Calibri'>{}</div>",
        "<center>{}</center>",
    ]
)


@st.composite
def documents_hiding_consent(draw: st.DrawFn) -> str:
    hidden = draw(HIDING).format(draw(CONSENT_WORDS))
    for wrapper in draw(st.lists(VISIBLE_WRAPPERS, max_size=4)):
        hidden = wrapper.format(hidden)
    before = draw(st.lists(BENIGN, min_size=1, max_size=3))
    after = draw(st.lists(BENIGN, max_size=3))
    body = "".join(f"<p>{part}</p>" for part in before) + hidden
    body += "".join(f"<div>{part}</div>" for part in after)
    return draw(st.sampled_from([body, f"<html><body>{body}</body></html>"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents_hiding_consent())
def test_no_hiding_technique_among_visible_content_gives_consent(html: str) -> None:
    assert not gives_consent(html_reply(html))


def alternative(plain: str, html: str) -> ConsentReply:
    """multipart/alternative, as most mail programs send (and converters write)."""
    return reply(
        'multipart/alternative; boundary="b1"',
        f"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{plain}\r\n"
        f"--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n--b1--\r\n",
    )


def test_a_text_part_consent_the_html_part_does_not_show_goes_to_a_person() -> None:
    read = alternative(f"Thanks\n\n{CONSENT}", f'<p>Thanks</p><p style="color:#fff">{CONSENT}</p>')
    assert not gives_consent(read)
    assert read.classification.needs_review
    assert "the HTML version does not show this consent" in read.classification.review_reasons


def test_a_text_part_consent_the_html_part_shows_counts() -> None:
    read = alternative(f"{CONSENT}\n\nThanks, Jo", f"<div>{CONSENT}</div><div>Thanks, Jo</div>")
    assert gives_consent(read)
    assert not read.classification.needs_review
    worded = alternative("Yes that's fine", "<p><b>Yes</b>, I agree to everything.</p>")
    assert gives_consent(worded)


def test_a_text_part_refusal_stands_whatever_the_html_part_says() -> None:
    read = alternative("No, I do not agree.", f"<p>{CONSENT}</p>")
    assert Decision.REFUSED in {f.decision for f in read.classification.findings.values()}
    assert not gives_consent(read)
