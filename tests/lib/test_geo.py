import csv

import pytest

from mobilitas.institutions.importer import COUNTRY_ALIASES, PACKAGED_ECHE_LIST
from mobilitas.lib import geo


def assert_near(point: geo.Point | None, expected: geo.Point, km: float = 10) -> None:
    assert point is not None, f"expected a place near {expected}"
    assert geo.distance_km(point, expected) < km, f"{point} is {geo.distance_km(point, expected):.0f} km away"


@pytest.mark.parametrize(
    ("country", "city", "expected"),
    [
        ("FR", "Amiens", (49.89, 2.30)),
        ("FR", "BESANCON CEDEX", (47.24, 6.02)),  # accents and CEDEX
        ("FR", "MONT SAINT AIGNAN CEDEX", (49.46, 1.09)),
        ("FR", "SAINT -QUENTIN", (49.85, 3.29)),  # stray space before the hyphen
        ("FR", "ST DIZIER CEDEX", (48.64, 4.95)),  # St for Saint
        ("FR", "Vitry/Seine", (48.79, 2.39)),  # X/Y for X-sur-Y
        ("FR", "69373 Lyon Cedex 08", (45.75, 4.85)),  # a postcode in the city column
        ("FR", "Neuchatel en Bray", (49.73, 1.44)),  # one letter missing: Neufchâtel-en-Bray
        ("CZ", "Praha 9 Vysočany", (50.09, 14.42)),  # district number and name; Praha is an alternate name
        ("AT", "Wien", (48.21, 16.37)),
        ("DK", "Odense C.", (55.40, 10.39)),
        ("ES", "Getafe (Madrid)", (40.31, -3.73)),  # province in brackets
        ("ES", "Cornellà de Llobregat - Barcelona", (41.36, 2.07)),  # the first part when both are near
        ("ES", "TORRES - TORRELAVEGA", (43.35, -4.05)),  # not the small Torres 600 km away
        ("TR", "TANDOGAN ANKARA", (39.93, 32.85)),  # district before the city
        ("NL", "EDE GLD", (52.04, 5.66)),  # province abbreviation after the city
        ("DE", "STTUTGART", (48.78, 9.18)),  # swapped letters
        ("ES", "San Vicente de Barakaldo", (43.30, -2.99)),  # Baracaldo; not cut down to San Vicente del Raspeig
        ("NO", "AS", (59.66, 10.79)),  # Ås: a two-letter name
    ],
)
def test_it_places_what_the_eche_list_has_in_its_city_column(country: str, city: str, expected: geo.Point) -> None:
    assert_near(geo.locate(country, city), expected)


def test_it_picks_the_most_populous_place_of_a_name() -> None:
    assert_near(geo.locate("DE", "Frankfurt"), (50.11, 8.68))  # am Main, not an der Oder
    assert_near(geo.locate("FR", "Saint-Denis"), (48.94, 2.36))  # Saint-Denis near Paris among dozens
    # A Madrid district as populous as the city of Salamanca: the place known by more names wins.
    assert_near(geo.locate("ES", "SALAMANCA"), (40.96, -5.66))


def test_it_looks_overseas_by_french_postcode_and_after_the_mainland() -> None:
    assert_near(geo.locate("FR", "SAINT PAUL", "97422"), (-21.01, 55.27))  # Réunion
    assert geo.locate("FR", "SAINT PAUL")[0] > 40  # type: ignore[index]  # a Saint-Paul of mainland France
    assert_near(geo.locate("FR", "Le Tampon"), (-21.28, 55.52))  # only in Réunion
    assert_near(geo.locate("NL", "ORANJESTAD"), (12.52, -70.03))  # Aruba


@pytest.mark.parametrize(
    ("country", "city"),
    [
        ("FR", "76 801"),  # a postcode is no place
        ("FR", ""),
        ("ES", "LA RIOJA"),  # a region: not cut down to the village of Rioja
        ("ZZ", "Paris"),  # unknown country
        ("BE", "Paris"),  # a place of another country
    ],
)
def test_it_answers_none_rather_than_a_wrong_place(country: str, city: str) -> None:
    assert geo.locate(country, city) is None


def test_it_places_nearly_all_cities_of_the_eche_list() -> None:
    with PACKAGED_ECHE_LIST.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    placed = sum(
        1
        for row in rows
        if geo.locate(COUNTRY_ALIASES.get(row["country_cd"], row["country_cd"]), row["city"], row["post_cd"])
    )
    assert len(rows) == 5912
    assert placed >= 5800  # measured: 5,833 (98.7%)


def test_it_builds_the_index_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    builds = []

    def fake_build() -> geo.Gazetteer:
        builds.append(1)
        return geo.Gazetteer(names={"FR": {"amiens": (133_000, 49.9, 2.3)}}, by_initial={("FR", "a"): ["amiens"]})

    monkeypatch.setattr(geo, "_index", None)
    monkeypatch.setattr(geo, "_build_index", fake_build)
    assert geo.locate("FR", "AMIENS CEDEX 1") == (49.9, 2.3)
    assert geo.locate("FR", "Amiens") == (49.9, 2.3)
    assert geo.locate("FR", "Abbeville") is None
    assert len(builds) == 1


def test_it_measures_distances_and_country_boxes() -> None:
    assert geo.distance_km((48.8566, 2.3522), (51.5074, -0.1278)) == pytest.approx(344, abs=2)
    assert geo.within_country("ES", (40.65, -4.70)) is True
    assert geo.within_country("ES", (22.77, -102.58)) is False  # Ávila geocoded in Mexico
    assert geo.within_country("FR", (-20.88, 55.45)) is True  # Réunion
    assert geo.within_country("ZZ", (0, 0)) is None


def test_it_compares_names_in_one_form() -> None:
    assert geo.key("Saint-Étienne-du-Rouvray") == "saint etienne du rouvray"
    assert geo.key("Łódź") == "lodz"
    assert geo.key("Kråkerøy") == "krakeroy"
    assert geo.key("L’Eliana") == "l eliana"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("neuchatel", "neufchatel", True),
        ("sttutgart", "stuttgart", True),
        ("valencia", "valencie", True),
        ("valencia", "valence", False),
        ("saint denis", "saint genix", False),
    ],
)
def test_it_tells_one_slip_from_another_name(a: str, b: str, expected: bool) -> None:
    assert geo._within_one_edit(a, b) is expected
