"""Office and Windows classification, table-driven over every product family and channel."""

from __future__ import annotations

import datetime as dt

import pytest

from cutover import lifecycle

TODAY = dt.date(2026, 11, 24)
CURRENT = "http://officecdn.microsoft.com/pr/492350f6-3a01-4f97-b9c0-c7c6ddf67d60"
MONTHLY_ENTERPRISE = "http://officecdn.microsoft.com/pr/55336b82-a18d-4dd6-b5f6-9e5095c314a6"
SEMI_ANNUAL = "http://officecdn.microsoft.com/pr/7ffbc6bf-bc32-4f92-8982-f9dd17fd3114"
BETA = "http://officecdn.microsoft.com/pr/5440fd1f-7ecb-4221-8110-145efaa6372f"
LTSC_2021 = "http://officecdn.microsoft.com/pr/5030841d-c919-4594-8d2d-84ae4f96e58e"
LTSC_2024 = "http://officecdn.microsoft.com/pr/7983bac0-e531-40cf-be00-fd24fe66619c"


@pytest.mark.parametrize(
    ("release_ids", "cdn", "product", "edition", "status"),
    [
        ("O365ProPlusRetail", MONTHLY_ENTERPRISE, "Microsoft 365 Apps", "Apps for enterprise", "supported"),
        ("O365BusinessRetail", CURRENT, "Microsoft 365 Apps", "Apps for business", "supported"),
        ("O365HomePremRetail", CURRENT, "Microsoft 365 Apps", "Family/Personal", "supported"),
        ("O365BusinessEEANoTeamsRetail", SEMI_ANNUAL, "Microsoft 365 Apps", "Apps for business", "supported"),
        ("HomeBusinessRetail", CURRENT, "Office 2016", "HomeBusiness", "unsupported"),
        ("ProfessionalRetail", CURRENT, "Office 2016", "Professional", "unsupported"),
        ("HomeBusiness2019Retail", CURRENT, "Office 2019", "HomeBusiness", "unsupported"),
        ("ProPlus2019Volume", None, "Office 2019", "ProPlus", "unsupported"),
        ("HomeBusiness2021Retail", CURRENT, "Office 2021", "HomeBusiness", "unsupported"),
        ("ProPlus2021Volume", LTSC_2021, "Office LTSC 2021", "ProPlus", "unsupported"),
        ("HomeBusiness2024Retail", CURRENT, "Office 2024", "HomeBusiness", "supported"),
        ("Standard2024Volume", LTSC_2024, "Office LTSC 2024", "Standard", "supported"),
    ],
)
def test_click_to_run_products(release_ids, cdn, product, edition, status):
    result = lifecycle.office_support(release_ids, "16.0.17928.20156", [], TODAY, cdn)
    assert (result.product, result.edition, result.status) == (product, edition, status)
    assert (result.action == lifecycle.REPLACE) == (status in ("unsupported", "ending_soon"))


def test_the_same_build_is_not_the_same_edition():
    build = "16.0.17928.20156"
    retail_2019 = lifecycle.office_support("HomeBusiness2019Retail", build, [], TODAY)
    m365 = lifecycle.office_support("O365BusinessRetail", build, [], TODAY)
    assert retail_2019.status == "unsupported" and m365.status == "supported"


@pytest.mark.parametrize(
    ("cdn", "channel", "status"),
    [(CURRENT, "Current", "supported"), (MONTHLY_ENTERPRISE, "Monthly Enterprise", "supported"),
     (SEMI_ANNUAL, "Semi-Annual Enterprise", "supported"), (BETA, "Beta", "unknown")],
)
def test_channel_comes_from_the_cdn_guid(cdn, channel, status):
    result = lifecycle.office_support("O365ProPlusRetail", None, [], TODAY, cdn)
    assert (result.channel, result.status) == (channel, status)


@pytest.mark.parametrize(
    ("code", "edition"),
    [("{90160000-0011-0000-0000-0000000FF1CE}", "Professional Plus"),
     ("{90160000-0012-0000-1000-0000000FF1CE}", "Standard")],
)
def test_msi_office_2016_from_product_codes(code, edition):
    result = lifecycle.office_support(None, None, [code], TODAY)
    assert (result.product, result.edition, result.install, result.status) == ("Office 2016", edition, "msi",
                                                                             "unsupported")


def test_office_2021_was_ending_soon_within_180_days():
    assert lifecycle.office_support("HomeBusiness2021Retail", None, [], dt.date(2026, 6, 1)).status == "ending_soon"
    assert lifecycle.office_support("HomeBusiness2021Retail", None, [], dt.date(2026, 4, 15)).status == "supported"
    assert lifecycle.office_support("HomeBusiness2021Retail", None, [], dt.date(2026, 10, 13)).status == "ending_soon"
    assert lifecycle.office_support("HomeBusiness2021Retail", None, [], dt.date(2026, 10, 14)).status == "unsupported"


def test_worst_product_wins_and_all_are_listed():
    result = lifecycle.office_support("O365BusinessRetail", None, ["{90160000-0012-0000-0000-0000000FF1CE}"], TODAY)
    assert result.product == "Office 2016" and result.status == "unsupported"
    assert [p.product for p in result.products] == ["Microsoft 365 Apps", "Office 2016"]


def test_unknown_and_absent_office():
    assert lifecycle.office_support("HomeBusiness2019Volume2", None, [], TODAY).status == "unknown"
    nothing = lifecycle.office_support(None, None, [], TODAY)
    assert nothing.product == "none" and nothing.status == "unknown"


def test_unconfirmed_dates_are_marked():
    assert lifecycle.office_support("HomeBusiness2024Retail", None, [], TODAY).confirmed is False
    assert lifecycle.office_support("HomeBusiness2019Retail", None, [], TODAY).confirmed is True


@pytest.mark.parametrize(
    ("edition", "build", "esu", "version", "status"),
    [
        ("Windows 10 Pro", "19045.5131", False, "Windows 10 22H2", "unsupported"),
        ("Windows 10 Pro", "19045.5131", True, "Windows 10 22H2", "supported"),
        ("Windows 11 Pro", "22631.4460", False, "Windows 11 23H2", "unsupported"),
        ("Windows 11 Enterprise", "22631.4460", False, "Windows 11 23H2", "unsupported"),
        ("Windows 11 Enterprise", "26100.2314", False, "Windows 11 24H2", "supported"),
        ("Windows 11 Pro", "26100.2314", False, "Windows 11 24H2", "unsupported"),
        ("Windows 11 Education", "26100.2314", False, "Windows 11 24H2", "supported"),
        ("Windows 11 Pro", "26200.1", False, "Windows 11 25H2", "supported"),
        ("Windows 11 Pro", "28000.1", False, "build 28000", "unknown"),
    ],
)
def test_windows_support(edition, build, esu, version, status):
    result = lifecycle.windows_support(edition, build, TODAY, esu_enrolled=esu)
    assert (result.version, result.status) == (version, status)


# ---- what real Click-to-Run PCs carry (issue #11, defect 3) ------------------------------------------
C2R_HELPERS = ["{90160000-008C-0000-1000-0000000FF1CE}",  # Office 16 Click-to-Run Extensibility Component
               "{90160000-008C-0411-1000-0000000FF1CE}",  # ... Localization Component (ja-jp)
               "{90160000-007E-0000-1000-0000000FF1CE}",  # ... Licensing Component (current builds)
               "{90160000-008F-0000-1000-0000000FF1CE}",  # ... Licensing Component (older builds)
               "{90160000-00DD-0000-1000-0000000FF1CE}",  # ... Extensibility Component 64-bit Registration
               "{90150000-008F-0000-1000-0000000FF1CE}"]  # Office 15 Click-to-Run Licensing Component


def test_click_to_run_helper_msi_components_are_not_office():
    result = lifecycle.office_support("O365ProPlusRetail", None, C2R_HELPERS, TODAY, MONTHLY_ENTERPRISE)
    assert (result.product, result.status) == ("Microsoft 365 Apps", "supported")
    assert [p.product for p in result.products] == ["Microsoft 365 Apps"]
    assert set(result.ignored) == set(C2R_HELPERS)
    alone = lifecycle.office_support(None, None, C2R_HELPERS, TODAY)
    assert (alone.product, alone.status) == ("none", "unknown")


@pytest.mark.parametrize(("code", "product", "edition", "status", "confirmed"), [
    ("{90160000-0011-0000-0000-0000000FF1CE}", "Office 2016", "Professional Plus", "unsupported", True),
    ("{90160000-0016-0000-1000-0000000FF1CE}", "Office 2016", "Excel", "unsupported", True),
    ("{90150000-0011-0000-0000-0000000FF1CE}", "Office 2013", "Professional Plus", "unsupported", True),
])
def test_msi_suites_and_apps_count(code, product, edition, status, confirmed):
    result = lifecycle.office_support(None, None, [code, *C2R_HELPERS], TODAY)
    assert (result.product, result.edition, result.status, result.confirmed) == (product, edition, status, confirmed)
    assert result.standalone == ()


@pytest.mark.parametrize(("release_id", "product", "status", "action_word"), [
    ("VisioProRetail", "Visio (Plan 2 or Professional 2016)", "unknown", "licence"),
    ("ProjectProRetail", "Project (Online Desktop Client or Professional 2016)", "unknown", "licence"),
    ("VisioStdRetail", "Visio Standard 2016", "unsupported", "Replace"),
    ("VisioProXVolume", "Visio Professional 2016", "unsupported", "Replace"),
    ("VisioPro2019Volume", "Visio Professional 2019", "unsupported", "Replace"),
    ("ProjectPro2021Volume", "Project Professional 2021", "unsupported", "Replace"),
    ("VisioPro2024Retail", "Visio Professional 2024", "supported", None),
])
def test_visio_and_project_are_judged_apart_from_the_suite(release_id, product, status, action_word):
    result = lifecycle.office_support(f"O365ProPlusRetail,{release_id}", None, C2R_HELPERS, TODAY, CURRENT)
    assert (result.product, result.status) == ("Microsoft 365 Apps", "supported")  # never "replace Office"
    assert len(result.standalone) == 1
    item = result.standalone[0]
    assert (item.product, item.status, item.install) == (product, status, "click-to-run")
    assert (action_word is None and item.action is None) or action_word in item.action


def test_visio_pro_retail_never_says_replace_office():
    item = lifecycle.office_support("VisioProRetail", None, [], TODAY).standalone[0]
    assert item.status == "unknown" and "Office" not in (item.action or "")
    assert "Visio Plan 2" in item.action and "2016" in item.action


def test_msi_visio_and_project_are_standalone():
    result = lifecycle.office_support("O365BusinessRetail", None, ["{90160000-0051-0000-0000-0000000FF1CE}",
                                                                  "{90160000-003B-0000-0000-0000000FF1CE}"], TODAY)
    assert result.status == "supported"
    assert sorted((p.product, p.status, p.install) for p in result.standalone) == [
        ("Project Professional 2016", "unsupported", "msi"), ("Visio Professional 2016", "unsupported", "msi")]


def test_a_standalone_product_is_not_the_suite_when_nothing_else_is_installed():
    result = lifecycle.office_support("VisioPro2021Volume", None, [], TODAY)
    assert result.product == "none" and [p.product for p in result.standalone] == ["Visio Professional 2021"]


# ---- boundaries (mutants that survived: <= against <, the action of an unknown build) -------------------


@pytest.mark.parametrize(("days_left", "status"), [
    (-1, "unsupported"), (0, "ending_soon"), (lifecycle.ENDING_SOON_DAYS, "ending_soon"),
    (lifecycle.ENDING_SOON_DAYS + 1, "supported")])
def test_status_boundaries_around_the_end_date(days_left, status):
    end = TODAY + dt.timedelta(days=days_left)
    assert lifecycle._status(end, TODAY) == status
    assert lifecycle._status(None, TODAY) == "supported"


def test_windows_10_ending_soon_and_an_unknown_build_get_their_actions():
    end = lifecycle.data()["windows"]["19045"]["home_pro_end"]
    soon = lifecycle.windows_support("Windows 10 Pro", "19045.5011", end - dt.timedelta(days=10))
    assert (soon.status, soon.action) == ("ending_soon", "upgrade to Windows 11 (or enrol in Windows 10 ESU)")
    unknown = lifecycle.windows_support("Windows 11 Pro", 99999, TODAY)
    assert (unknown.version, unknown.status, unknown.action, unknown.source, unknown.confirmed) == (
        "build 99999", "unknown", "identify the Windows version", "no lifecycle entry", False)


def test_a_standalone_product_ending_soon_is_to_be_replaced():
    end = lifecycle.data()["standalone"]["visio_2021"]["end"]
    visio = lifecycle._standalone("visio", "Professional", "2021", "click-to-run", "VisioPro2021Retail", None,
                                  end - dt.timedelta(days=30))
    assert visio.status == "ending_soon"
    assert visio.action.startswith("Replace Visio Professional 2021 by ")
