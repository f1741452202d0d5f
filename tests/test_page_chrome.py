"""The job board's page around a scraped ad (nlp/page_chrome) and what the parser reads without it."""

from __future__ import annotations

import pytest

from jdlens_server.nlp.jd_parser import parse_jd
from jdlens_server.nlp.page_chrome import rated_employer, without_page_chrome
from jdlens_server.nlp.text import to_plain

_COOKIES = (
    "We use cookies to improve your experience on our site. By continuing to browse, you agree to our "
    "use of cookies. Accept all cookies   Manage preferences"
)
_PAGE = (
    _COOKIES
    + """

Skip to main content
Find jobs   Company reviews   Salary guide

Warehouse Operative - Nights
Northgate Distribution
3.9 \u2605 1,204 reviews
Leeds LS10
\u00a312.60 - \u00a313.85 an hour - Full-time

Apply now
Save job
Posted 3 days ago

Full job description
Northgate Distribution runs a chilled warehouse for supermarkets across the North.

Responsibilities
- Pick and pack customer orders with a handheld scanner
- Load and unload delivery vehicles safely
- Keep the warehouse clean and tidy

Requirements
- Previous warehouse experience is an advantage
- Able to work night shifts

Report this job
Show more
Similar jobs
Picker Packer - Amazon - Doncaster
Forklift Driver - Tesco - Wakefield, West Yorkshire
"""
)


def test_the_page_around_the_ad_is_blanked_and_offsets_kept() -> None:
    plain = to_plain(_PAGE)
    cleaned = without_page_chrome(plain)
    assert len(cleaned.text) == len(plain.text)  # offsets still map to the original
    for chrome in (
        "cookies",
        "Skip to main content",
        "Company reviews",
        "Apply now",
        "Save job",
        "Posted 3 days ago",
    ):
        assert chrome not in cleaned.text
    for chrome in ("1,204 reviews", "Report this job", "Show more", "Doncaster", "Wakefield"):
        assert chrome not in cleaned.text
    for kept in ("Warehouse Operative - Nights", "Northgate Distribution", "Pick and pack customer orders"):
        assert kept in cleaned.text
    assert "Full job description" in cleaned.text  # a heading of the ad, not a button


def test_a_scraped_page_reads_as_its_ad() -> None:
    jd = parse_jd(_PAGE)
    assert jd.role_title == "Warehouse Operative - Nights"
    assert jd.company_name == "Northgate Distribution"
    assert [loc.city for loc in jd.locations] == ["Leeds"]  # not the other jobs' places
    duties = [s.plain for s in jd.responsibility_sentences]
    assert "Pick and pack customer orders with a handheld scanner" in duties
    assert not any("Report" in d or "Apply" in d for d in duties)


def test_a_header_line_loses_its_buttons_and_names_the_rated_employer() -> None:
    line = (
        "Registered Pharmacy Technician  Rocky Ridge Pharmacy  4.3 \u2605 88 reviews  Calgary, AB  "
        "$26 - $32 an hour  Apply now  Save job  Posted 7 days ago"
    )
    cleaned = without_page_chrome(to_plain(line)).text
    assert "Apply now" not in cleaned and "88 reviews" not in cleaned and "Posted" not in cleaned
    assert "Rocky Ridge Pharmacy" in cleaned and "$26 - $32 an hour" in cleaned
    assert rated_employer(line) == "Rocky Ridge Pharmacy"
    assert (
        rated_employer("Harbor & Pine Outfitters\n3.8 out of 5 stars\nColumbus, OH")
        == "Harbor & Pine Outfitters"
    )
    assert rated_employer("Our customers rate us 4.8 stars.") is None


def test_a_sites_menu_and_a_banner_over_two_lines_are_chrome() -> None:
    page = (
        "Jobstreet / Job search / Profile / Explore companies / Employer site\n"
        "LinkedIn and 3rd parties use essential and non-essential cookies to provide our services.\n"
        "Learn more in our Cookie Policy.\nAccept\nReject\n\nAccount Executive\nMaju Trading Sdn Bhd\n"
    )
    cleaned = without_page_chrome(to_plain(page)).text
    assert cleaned.split() == ["Account", "Executive", "Maju", "Trading", "Sdn", "Bhd"]


def test_no_employer_from_another_jobs_rating_or_a_hotels_stars() -> None:
    assert (
        rated_employer("Picker\nLeeds\n\nSimilar jobs\nPicker Packer\nAmazon\n3.5 \u2605 120 reviews\n")
        is None
    )
    assert rated_employer("Front Office Manager | 5 Star | Dubai") is None


_AD_END = "\n".join(f"- Serve customers at the counter, item {i}" for i in range(12))


@pytest.mark.parametrize(
    "text",
    [
        # The ad's own words: a duty that applies, a privacy notice, "similar jobs" early in the text.
        "Apply safety procedures on site every day",
        # A bakery's cookies, a duty about cookie consent, and "similar jobs" as the ad's own words late in it.
        "- Bake bread, muffins and cookies and manage the display counter.",
        "- Implement cookie consent and tag management for the web shop.",
        _AD_END + "\nSimilar jobs in hospitality or food service also count.\nLocation: Columbus, OH",
        _AD_END + "\nRelated jobs experience is welcome: retail, hospitality.\nPay: $15 an hour",
        "Our website uses cookies as described in the privacy policy, which applicants should read "
        "before they send personal data; " + "it explains how we process it. " * 12,
        "Similar jobs in our group include analyst roles.\n" + "Manage the monthly close.\n" * 5,
    ],
)
def test_the_ads_own_words_stay(text: str) -> None:
    plain = to_plain(text)
    assert without_page_chrome(plain).text == plain.text
