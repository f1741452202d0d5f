"""The job board's page around a scraped ad: blanked before anything reads the ad.

Scrapers and "copy the page" keep what the board printed around the posting: a cookie banner,
the site's navigation, buttons ("Apply now", "Save job", "Report this job"), when it was posted
and how many applied, the employer's star rating and, after the ad, lists of other jobs ("Similar
jobs", "People also searched"). Read as the ad, the banner took the title's place (the run was
untitled), the buttons became duties and new skills ("5d" from "Posted 5d ago"), and the other
jobs' places became the job's. Such lines are replaced by spaces, so every offset still maps to
the original text, and the other-jobs lists are blanked to the end of the text.

Only whole items are chrome (a line's parts between wide gaps, bars, dots or spaced slashes), and
a cookie banner by its own words ("We use cookies", "Cookie Policy"): a duty that says "apply", a
bakery's cookies or a long privacy notice stays, as each is more than a button or a banner.
"""

from __future__ import annotations

import re
from dataclasses import replace

from jdlens_server.nlp.text import PlainText
from jdlens_server.nlp.title import is_role_head

__all__ = ["rated_employer", "without_page_chrome"]

# Buttons, links and labels a board prints around an ad, each a whole item of its line.
_ITEM = re.compile(
    r"""(?ix)
    (?:apply(?:\s+now)?|easy\s+apply|quick\s+apply|1-click\s+apply|apply\s+on\s+company\s+(?:site|website)
     |i'?m\s+interested|save(?:\s+(?:this\s+)?job)?|saved|share(?:\s+(?:this\s+)?job)?
     |report(?:\s+this)?\s+job|show\s+(?:more|less)|see\s+(?:more|less)|read\s+(?:more|less)
     |view\s+(?:more|less)|back\s+to\s+(?:search\s+)?results|sign\s+in(?:\s+to\s+apply)?|log\s?in
     |create\s+(?:an\s+)?account|skip\s+to\s+(?:main\s+)?content|home|find\s+jobs|browse\s+jobs
     |search\s+jobs|company\s+reviews|find\s+salaries|salary\s+guide|post\s+a\s+job|for\s+employers
     |career\s+advice|upload\s+(?:your\s+)?(?:cv|resume)|menu|close|register|sign\s+up|join\s+now|employers
     |blog|jobs|job\s+search|back\s+to\s+(?:jobs|job\s+search)|explore\s+companies|employer\s+site|profile
     |salary\s+checker|accept(?:\s+all)?(?:\s+cookies)?|reject(?:\s+all)?|manage\s+(?:preferences|cookies)
     # the boards' own names, alone on a line or between bars
     |linkedin|indeed|glassdoor|seek|reed(?:\.co\.uk)?|totaljobs|naukri(?:\.com)?|jobstreet|mycareersfuture
     |brightermonday|ethiojobs|bayt(?:\.com)?|monster|ziprecruiter|careerbuilder
     |(?:re)?posted\s+(?:today|yesterday|just\s+now|\d+\+?\s*(?:d|h|w|mo|days?|hours?|weeks?|months?)\s+ago)
     |(?:just|recently)\s+posted|active\s+\d+\+?\s+days?\s+ago|(?:over\s+)?\d[\d,]*\+?\s+applicants
     |be\s+an\s+early\s+applicant|be\s+among\s+the\s+first\s+\d+\s+applicants|actively\s+(?:recruiting|hiring)
     |urgently\s+hiring|hiring\s+multiple\s+candidates|promoted|viewed
     |typically\s+responds\s+within\s+\d+\s+\w+|responded\s+to\s+\d+%\s+or\s+more\s+applications.*
     |here'?s\s+how\s+the\s+job\s+details\s+align\s+with\s+your\s+profile\.?
     |pulled\s+from\s+the\s+full\s+job\s+description)
    """
)
# A line's items: parts between runs of two or more spaces, a bar, a middle dot or a spaced slash.
_ITEM_BREAK = re.compile(r"\s{2,}|\s*[|\u00b7\u2022]\s*|\s+/\s+")
# "4.1 ★ 2,345 reviews", "3.8 out of 5 stars", "★★★★☆ 88 reviews".
_RATING = re.compile(
    r"(?i)(?:\d(?:\.\d)?\s*(?:\u2605|\u2b50|stars?|out\s+of\s+5(?:\s+stars)?)|[\u2605\u2606]{3,5})"
    r"(?:\s*[\d,.]+k?\s+(?:reviews?|ratings?))?"
)
# A cookie banner's own words ("We use cookies", "Cookie Policy", "Accept all cookies"), not a
# bakery's cookies or a duty that implements cookie consent.
_COOKIE_BANNER = re.compile(
    r"(?i)\b(?:(?:we|this\s+(?:site|website)|[\w&.]+\s+and\s+(?:3rd|third)\s+parties)\s+uses?\b[^.\n]{0,60}"
    r"\bcookies|cookie\s+(?:policy|settings|preferences|notice)|accept\s+(?:all\s+)?cookies|"
    r"(?:our|the)\s+use\s+of\s+cookies)\b"
)
_BULLETED = re.compile(r"^\s*(?:[-*\u2022\u25aa\u25cf]|\d{1,2}[.)])\s")
# Lists of other jobs the board puts after the ad: they and all after them are no part of it.
# The heading alone, with at most the firm or place it names and a count: "Similar jobs",
# "More jobs at Sysco", "People also searched:" (its searches may follow on the line).
_OTHER_JOBS = re.compile(
    r"(?i)(?:(?:similar|related|recommended)\s+jobs|jobs\s+you\s+(?:might|may)\s+(?:like|be\s+interested\s+in)|"
    r"more\s+jobs\s+like\s+this|explore\s+(?:similar|more)\s+jobs|(?:other|more)\s+jobs\s+(?:at|from)\s+[^\n]{1,40})"
    r"(?:\s+(?:near|at|from)\s+[^\n]{1,40})?(?:\s*\(\d+\))?\s*:?|"
    r"(?i:people\s+also\s+(?:searched|viewed|applied)(?:\s+for)?\s*:.*|people\s+also\s+(?:searched|viewed|applied))"
)
# The same lists where the page was flattened to one line ("... Work Location: Remote Show more
# Similar jobs Junior Graphic Designer - ..."): only as the board capitalises them, a title after
# them ("Similar jobs in hospitality also count" is the ad's), in a line only a flattened page has.
_OTHER_JOBS_INLINE = re.compile(
    r"\b(?:Similar [Jj]obs|People [Aa]lso (?:[Ss]earched|[Vv]iewed)|More [Jj]obs [Ll]ike [Tt]his"
    r"|Jobs [Yy]ou (?:[Mm]ight|[Mm]ay) [Ll]ike|Recommended [Jj]obs)\b(?=:?\s+[A-Z])"
)
_FLATTENED_LINE = 1500
# No button, label or rating is longer than this.
_ITEM_CHARS = 80
# The other-jobs lists follow the ad: a marker in the first part of the text is the ad's own words.
_OTHER_JOBS_FROM = 0.4
# A cookie banner is a sentence or two, not a privacy policy.
_BANNER_CHARS = 400


def _chrome_spans(line: str) -> list[tuple[int, int]]:
    """Where in ``line`` the page's chrome sits: the whole line for a cookie banner; else each of
    its items (parts between wide gaps, bars or dots) that is a button, label or rating. A line of
    one item is chrome whole or not at all; a board's header line of many ("Pharmacy Technician
    Rocky Ridge Pharmacy  4.3 ★ 88 reviews  Calgary, AB  Apply now  Save job") loses just those."""
    if (
        "ookie" in line
        and len(line) <= _BANNER_CHARS
        and not _BULLETED.match(line)
        and _COOKIE_BANNER.search(line)
    ):
        return [(0, len(line))]
    if len(line) > _ITEM_CHARS and _ITEM_BREAK.search(line) is None:
        return []  # one long item: prose, never a button
    spans: list[tuple[int, int]] = []
    items = 0
    pos = 0
    for gap in [*_ITEM_BREAK.finditer(line), None]:
        end = len(line) if gap is None else gap.start()
        item = line[pos:end]
        if item.strip():
            items += 1
            if _ITEM.fullmatch(item.strip()) or _RATING.fullmatch(item.strip()):
                spans.append((pos, end))
        if gap is not None:
            pos = gap.end()
    return [(0, len(line))] if spans and len(spans) == items else spans  # a menu: its separators too


# The employer's name the board prints over its star rating: one to eight words, no figures.
_NAME = re.compile(r"[A-Z][\w&'.,()-]*(?: [\w&'.,()-]+){0,7}")


# A board's rating of an employer: a score out of five with a decimal ("4.1 ★", "3.8 out of 5
# stars") or a count of reviews; not a hotel's "5 Star".
_EMPLOYER_RATING = re.compile(
    r"(?i)\d\.\d\s*(?:\u2605|\u2b50|stars?|out\s+of\s+5(?:\s+stars)?)[\u2605\u2606\s]*(?:[\d,.]+k?\s+(?:reviews?|ratings?))?"
    r"|(?:\d(?:\.\d)?\s*)?[\u2605\u2606]{3,5}\s*[\d,.]+k?\s+(?:reviews?|ratings?)"
)


# What every employer rating holds (a star, or a figure before "stars" / "out of 5"): a text without
# it, most JDs ("review the monthly reports"), is not read line by line.
_RATING_MARK = re.compile(r"[\u2605\u2606\u2b50]|(?i:\d\s*(?:stars?\b|out\s+of\s+5))")


def rated_employer(text: str) -> str | None:
    """The name a board's star rating follows ("Rocky Ridge Pharmacy  4.3 ★ 88 reviews", or the
    rating on the line under the name): the board says whose rating it is, the employer's. Not in
    the other jobs' lists after the ad, and not a job title ("Front Office Manager | 5 Star")."""
    if not _RATING_MARK.search(text):
        return None
    previous = ""
    for line in text.split("\n"):
        if _OTHER_JOBS.fullmatch(line.strip()):
            break
        items = [item.strip() for item in _ITEM_BREAK.split(line) if item.strip()]
        for item in items:
            if (
                _EMPLOYER_RATING.fullmatch(item)
                and _NAME.fullmatch(previous)
                and not _ITEM.fullmatch(previous)
                and not is_role_head(previous.split()[-1])
            ):
                return previous
            previous = item
    return None


def without_page_chrome(plain: PlainText) -> PlainText:
    """``plain`` with the board's page around the ad blanked (see the module's docstring)."""
    text = plain.text
    blanks: list[tuple[int, int]] = []  # ranges to blank, in text offsets
    cut = len(text)  # where the other jobs' lists start: blanked to the end
    pos = 0
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = text[pos:end]
        if line.strip():
            if pos >= _OTHER_JOBS_FROM * len(text) and _OTHER_JOBS.fullmatch(line.strip()):
                cut = pos
                break
            blanks.extend((pos + a, pos + z) for a, z in _chrome_spans(line))
            inline = (
                _OTHER_JOBS_INLINE.search(text, max(pos, int(_OTHER_JOBS_FROM * len(text))), end)
                if end - pos >= _FLATTENED_LINE
                else None
            )
            if inline is not None:
                cut = inline.start()
                break
        pos = end + 1
    if not blanks and cut == len(text):
        return plain
    chars = list(text)
    for a, z in blanks:
        chars[a:z] = " " * (z - a)
    chars[cut:] = [c if c == "\n" else " " for c in text[cut:]]
    return replace(plain, text="".join(chars))
