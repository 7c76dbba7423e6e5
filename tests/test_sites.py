import pytest

from cutover import sites


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("hq", "hq"),
        ("HQ", "hq"),
        ("13", "pref-13-tokyo"),
        ("1", "pref-01-hokkaido"),
        ("01-hokkaido", "pref-01-hokkaido"),
        ("pref-47-okinawa", "pref-47-okinawa"),
        ("osaka", "pref-27-osaka"),
    ],
)
def test_every_spelling_maps_to_one_site_id(typed, expected):
    assert sites.canonical_site_id(typed) == expected


@pytest.mark.parametrize("typed", ["48", "00-x", "13-osaka", "pref-13-osaka", "tokio", ""])
def test_unknown_sites_are_refused_with_the_accepted_forms(typed):
    with pytest.raises(sites.UnknownSiteError, match="expected 'hq'"):
        sites.canonical_site_id(typed)


def test_there_are_48_sites_in_jis_order():
    assert len(sites.ALL_SITE_IDS) == 48
    assert sites.ALL_SITE_IDS[1] == "pref-01-hokkaido"
    assert sites.ALL_SITE_IDS[-1] == "pref-47-okinawa"
    assert sorted(sites.ALL_SITE_IDS, key=sites.site_sort_key) == list(sites.ALL_SITE_IDS)
