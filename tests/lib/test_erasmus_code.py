import pytest

from mobilitas.lib import erasmus_code


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("F\u00a0\u00a0AMIENS01", "", "F  AMIENS01"),
        ("A BADEN01", "", "A  BADEN01"),
        ("pl warszaw01", "", "PL WARSZAW01"),
        ("IRLDUBLIN01", "", "IRLDUBLIN01"),
        ("F  PARIS 063", "", "F  PARIS063"),
        ("RSPROKUP01", "RS", "RS PROKUP01"),
        ("SF MIKKELI07", "", "SF MIKKELI07"),
    ],
)
def test_it_normalises_published_forms(raw: str, country: str, expected: str) -> None:
    code = erasmus_code.normalise(raw, country)
    assert code == expected
    assert erasmus_code.is_valid(code)


@pytest.mark.parametrize("code", ["E  TOLEDO3", "F AMIENS01", "FAMIENS01", "F  AMIENS", "F  1AMIENS01", ""])
def test_it_rejects_what_is_not_a_code(code: str) -> None:
    assert not erasmus_code.is_valid(code)


def test_it_reads_the_country_from_the_prefix() -> None:
    assert erasmus_code.country_of("F  AMIENS01") == "FR"
    assert erasmus_code.country_of("SF MIKKELI07") == "FI"
    assert erasmus_code.country_of("IRLMUNST01") == "IE"
    assert erasmus_code.country_of("BG SOFIA11") == "BG"
    assert erasmus_code.country_of("nonsense") == ""
