"""The ECHE list import: refusals, rejections, upsert, SCHAC codes, coordinates, the command."""

import csv
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mobilitas.audit.models import AuditEvent
from mobilitas.institutions import importer
from mobilitas.institutions.importer import ImportRefused, import_institutions
from mobilitas.institutions.models import Institution
from mobilitas.lib import geo
from tests.factories import make_institution

pytestmark = pytest.mark.django_db

HEADER = [
    "proposal_number", "erasmus_code", "pic", "oid", "legal_name", "street", "post_cd", "city", "country_cd",
    "website_url", "erasmus_eche_start", "erasmus_eche_end",
]  # fmt: skip
AMIENS = {
    "erasmus_code": "F  AMIENS01", "pic": "999868187", "oid": "E10208725",
    "legal_name": "UNIVERSITE DE PICARDIE JULES VERNE", "street": "CHEMIN DU THIL", "post_cd": "80025",
    "city": "AMIENS CEDEX 1", "country_cd": "FR",
    "website_url": "www.u-picardie.fr", "erasmus_eche_start": "2021-01-01", "erasmus_eche_end": "2029-12-31",
}  # fmt: skip


def row(**values: str) -> dict[str, str]:
    """A valid row of a made-up institution in Oviedo; `values` override columns."""
    base = {
        "proposal_number": "101000001", "erasmus_code": "E  OVIEDO01", "pic": "999882935", "oid": "E10208820",
        "legal_name": "UNIVERSIDAD DE OVIEDO", "street": "CALLE SAN FRANCISCO 1", "post_cd": "33003",
        "city": "OVIEDO", "country_cd": "ES", "website_url": "www.uniovi.es",
        "erasmus_eche_start": "2021-01-01", "erasmus_eche_end": "2029-12-31",
    }  # fmt: skip
    return {**base, **values}


def write_csv(tmp_path: Path, rows: list[dict[str, str]], header: list[str] = HEADER, name: str = "list.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for values in rows:
            writer.writerow([values.get(column, "") for column in header])
    return path


def three_rows() -> list[dict[str, str]]:
    return [
        AMIENS,
        row(),
        row(erasmus_code="D  BERLIN01", pic="999976320", legal_name="FREIE UNIVERSITAET BERLIN", city="BERLIN",
            country_cd="DE", post_cd="14195", website_url="http://www.fu-berlin.de"),
    ]  # fmt: skip


# --- upsert ---------------------------------------------------------------------------------------------------


def test_it_creates_then_updates_in_place(tmp_path: Path) -> None:
    rows = three_rows()
    first = import_institutions(write_csv(tmp_path, rows))
    assert (first.created, first.updated, first.unchanged, first.rejected) == (3, 0, 0, [])
    oviedo = Institution.objects.get(erasmus_code="E  OVIEDO01")
    assert oviedo.name == "UNIVERSIDAD DE OVIEDO"
    assert oviedo.website == "https://www.uniovi.es"
    assert str(oviedo.charter_start) == "2021-01-01" and str(oviedo.charter_end) == "2029-12-31"
    assert oviedo.names == {}
    assert "universidad de oviedo" in oviedo.search_text

    again = import_institutions(write_csv(tmp_path, rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)

    rows[1] = row(legal_name="UNIVERSIDAD DE OVIEDO (UNIOVI)", street="PLAZA DE RIEGO 4")
    changed = import_institutions(write_csv(tmp_path, rows))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    oviedo.refresh_from_db()
    assert oviedo.name == "UNIVERSIDAD DE OVIEDO (UNIOVI)"
    assert oviedo.street == "PLAZA DE RIEGO 4"
    assert "uniovi" in oviedo.search_text
    assert Institution.objects.count() == 3


def test_it_leaves_hosted_slug_and_names_alone(tmp_path: Path) -> None:
    path = write_csv(tmp_path, three_rows())
    import_institutions(path)
    Institution.objects.filter(erasmus_code="F  AMIENS01").update(
        hosted=True, slug="upjv", names={"fr": "Université de Picardie", "en": "University of Picardy"}
    )
    report = import_institutions(write_csv(tmp_path, [{**AMIENS, "legal_name": "UPJV"}, *three_rows()[1:]]))
    assert (report.updated, report.unchanged) == (1, 2)
    amiens = Institution.objects.get(erasmus_code="F  AMIENS01")
    assert (amiens.name, amiens.hosted, amiens.slug) == ("UPJV", True, "upjv")
    assert amiens.names == {"fr": "Université de Picardie", "en": "University of Picardy"}


def test_it_records_one_audit_event_with_the_counts(tmp_path: Path) -> None:
    report = import_institutions(write_csv(tmp_path, [*three_rows(), row(erasmus_code="E  TOLEDO3")]))
    event = AuditEvent.objects.get(action="institutions.directory_imported")
    assert event.data == report.counts()
    assert event.data["created"] == 3 and event.data["rejected"] == 1


# --- refused files --------------------------------------------------------------------------------------------


def refused(source: Path | io.BytesIO) -> ImportRefused:
    before = list(Institution.objects.values_list("erasmus_code", "name", "city").order_by("erasmus_code"))
    with pytest.raises(ImportRefused) as caught:
        import_institutions(source)
    after = list(Institution.objects.values_list("erasmus_code", "name", "city").order_by("erasmus_code"))
    assert after == before, "a refused file must change nothing"
    assert not AuditEvent.objects.filter(action="institutions.directory_imported").exists()
    return caught.value


def test_it_refuses_a_file_without_a_required_column(tmp_path: Path) -> None:
    header = [column for column in HEADER if column != "pic"]
    error = refused(write_csv(tmp_path, three_rows(), header=header))
    assert error.line == 1
    assert error.message == "Line 1: required columns missing: pic."


def test_it_refuses_a_short_line_and_imports_nothing_before_it(tmp_path: Path) -> None:
    make_institution(name="Already here", erasmus_code="E  OVIEDO01", country="ES", city="Oviedo")
    path = write_csv(tmp_path, three_rows())
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0]  # line 4 loses its last field
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    error = refused(path)
    assert error.line == 4
    assert error.message == "Line 4: 11 fields where the header has 12."
    assert Institution.objects.get(erasmus_code="E  OVIEDO01").name == "Already here"


def test_it_refuses_a_bad_date_with_its_line(tmp_path: Path) -> None:
    error = refused(write_csv(tmp_path, [*three_rows(), row(erasmus_code="E  GIJON01", erasmus_eche_end="31/12/2029")]))
    assert error.line == 5
    assert "Line 5" in error.message and "erasmus_eche_end '31/12/2029' is not a date" in error.message


def test_it_refuses_what_is_not_a_csv_text_file(tmp_path: Path) -> None:
    error = refused(io.BytesIO(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb5U\x8a\xff"))
    assert error.message == "Line 1: not a CSV text file (not UTF-8)."
    error = refused(io.BytesIO(b'{"erasmus_code": "F  AMIENS01"}\n'))
    assert error.line == 1 and "required columns missing" in error.message
    quoted = write_csv(tmp_path, three_rows())
    quoted.write_text(quoted.read_text(encoding="utf-8") + '1,"F  LILLE01,unterminated\n', encoding="utf-8")
    error = refused(quoted)
    assert error.line == 5 and error.message.startswith("Line 5: not CSV")


# --- rejected rows, normalised codes, countries ---------------------------------------------------------------


def test_it_rejects_unusable_rows_with_their_lines_and_imports_the_rest(tmp_path: Path) -> None:
    rows = [
        AMIENS,                                                              # line 2
        row(erasmus_code="E  TOLEDO3"),                                      # line 3
        row(erasmus_code="E  GIJON01", legal_name=""),                       # line 4
        row(erasmus_code="E  LEON01", country_cd="XX"),                      # line 5
        row(erasmus_code="E  BURGOS01", pic="12345"),                        # line 6
        row(),                                                               # line 7
        row(erasmus_code="E\u00a0\u00a0OVIEDO01", legal_name="TWICE"),       # line 8
    ]  # fmt: skip
    report = import_institutions(write_csv(tmp_path, rows))
    assert report.rejected == [
        (3, "invalid Erasmus code 'E  TOLEDO3'"),
        (4, "no legal name"),
        (5, "unknown country code 'XX'"),
        (6, "PIC '12345' is not 9 digits"),
        (8, "duplicate Erasmus code 'E  OVIEDO01', first on line 7"),
    ]
    assert report.created == 2
    assert set(Institution.objects.values_list("erasmus_code", flat=True)) == {"F  AMIENS01", "E  OVIEDO01"}


def test_it_normalises_codes_and_counts_them(tmp_path: Path) -> None:
    rows = [
        row(erasmus_code="F\u00a0\u00a0AMIENS01", country_cd="FR", city="AMIENS", pic="999868187"),
        row(erasmus_code="F  PARIS 063", country_cd="FR", city="PARIS", pic="999865763"),
        row(erasmus_code="RSPROKUP01", country_cd="RS", city="Prokuplje", pic="886543717"),
        row(),  # already in the official form
    ]
    report = import_institutions(write_csv(tmp_path, rows))
    assert (report.created, report.normalised_codes, report.rejected) == (4, 3, [])
    assert set(Institution.objects.values_list("erasmus_code", flat=True)) == {
        "F  AMIENS01", "F  PARIS063", "RS PROKUP01", "E  OVIEDO01"
    }  # fmt: skip
    assert import_institutions(write_csv(tmp_path, rows)).unchanged == 4  # the key is the normalised code


def test_it_stores_iso_codes_for_greece_and_the_united_kingdom(tmp_path: Path) -> None:
    rows = [
        row(erasmus_code="G  ATHINE01", country_cd="EL", city="ATHINA", post_cd="10679", website_url="www.uoa.gr"),
        row(erasmus_code="UK LONDON01", country_cd="UK", city="London", post_cd="WC1E 6BT", website_url="ucl.ac.uk"),
    ]  # fmt: skip
    report = import_institutions(write_csv(tmp_path, rows))
    assert report.created == 2
    assert Institution.objects.get(erasmus_code="G  ATHINE01").country == "GR"
    assert Institution.objects.get(erasmus_code="UK LONDON01").country == "GB"


# --- websites and SCHAC codes ---------------------------------------------------------------------------------


def test_it_derives_schac_codes_from_domains_used_once(tmp_path: Path) -> None:
    make_institution(name="Holder", erasmus_code="", country="FR", schac_code="taken.example")
    make_institution(name="Kept", erasmus_code="E  LEON01", country="ES", schac_code="unileon.es")
    rows = [
        row(erasmus_code="E  OVIEDO01", website_url="https://www.uniovi.es/en/inicio"),
        row(erasmus_code="E  GIJON01", website_url="www. iesgijon.es"),
        row(erasmus_code="E  LUGO01", website_url="http//www.ieslugo.gal"),
        row(erasmus_code="G  IOANNIN01", country_cd="EL", website_url="www.uoi.gr / www.rc.uoi.gr"),
        row(erasmus_code="E  VIGO01", website_url="http://www.edu.xunta.gal/centros/iesvigo/"),
        row(erasmus_code="E  VIGO02", website_url="https://www.edu.xunta.gal/centros/cifpvigo"),
        row(erasmus_code="E  BURGOS01", website_url="taken.example"),
        row(erasmus_code="E  LEON01", website_url="https://www.unileon.es"),
        row(erasmus_code="E  LEON02", website_url="20004497200087"),
    ]
    report = import_institutions(write_csv(tmp_path, rows))
    assert (report.created, report.updated) == (8, 1)
    found = dict(Institution.objects.exclude(erasmus_code="").values_list("erasmus_code", "schac_code"))
    assert found == {
        "E  OVIEDO01": "uniovi.es",
        "E  GIJON01": "iesgijon.es",
        "E  LUGO01": "ieslugo.gal",
        "G  IOANNIN01": "uoi.gr",
        "E  VIGO01": "",  # a regional portal shared by two schools
        "E  VIGO02": "",
        "E  BURGOS01": "",  # the SCHAC code of another institution
        "E  LEON01": "unileon.es",  # kept
        "E  LEON02": "",  # no website
    }
    websites = dict(Institution.objects.exclude(erasmus_code="").values_list("erasmus_code", "website"))
    assert websites["E  GIJON01"] == "https://www.iesgijon.es"
    assert websites["E  LUGO01"] == "http://www.ieslugo.gal"
    assert websites["G  IOANNIN01"] == "https://www.uoi.gr"
    assert websites["E  LEON02"] == ""


def test_it_never_overwrites_a_schac_code(tmp_path: Path) -> None:
    import_institutions(write_csv(tmp_path, [row(website_url="www.uniovi.es")]))
    Institution.objects.filter(erasmus_code="E  OVIEDO01").update(schac_code="uniovi.example")
    report = import_institutions(write_csv(tmp_path, [row(website_url="www.uniovi.es")]))
    assert report.unchanged == 1
    assert Institution.objects.get(erasmus_code="E  OVIEDO01").schac_code == "uniovi.example"


# --- coordinates ----------------------------------------------------------------------------------------------


def test_it_takes_coordinates_from_the_list_then_from_the_gazetteer(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    coordinates = tmp_path / "euc.csv"
    coordinates.write_text(
        "Institutional code,Name of Organisation,Country,City,coordinates\n"
        'E  OVIEDO01,UNIVERSIDAD DE OVIEDO,ES,Oviedo,"(43.3623, -5.8440)"\n'
        'E  AVILA06,SOMEWHERE,ES,Ávila,"(22.7723969, -102.5784825)"\n'  # geocoded in Mexico: an outlier
        'E  BURGOS01,NOWHERE,ES,Burgos,"(10.0, 10.0)"\n'  # outside Spain, city unknown to the gazetteer
        'F  AMIENS01,BROKEN,FR,Amiens,"not a point"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(importer, "PACKAGED_COORDINATES", coordinates)
    rows = [
        row(),
        row(erasmus_code="E  AVILA06", city="ÁVILA", post_cd="05003"),
        row(erasmus_code="E  BURGOS01", city="Villanowhere de Nada"),
        {**AMIENS, "city": "AMIENS CEDEX 1"},
        row(erasmus_code="E  LEON01", city="Villanowhere de Nada"),
    ]
    report = import_institutions(write_csv(tmp_path, rows))
    assert (report.geocoded_from_list, report.geocoded_from_gazetteer, report.not_geocoded) == (1, 2, 2)
    points = {i.erasmus_code: (i.latitude, i.longitude) for i in Institution.objects.all()}
    assert points["E  OVIEDO01"] == (43.3623, -5.844)
    assert geo.distance_km(points["E  AVILA06"], (40.66, -4.70)) < 10  # the gazetteer's Ávila
    assert geo.distance_km(points["F  AMIENS01"], (49.89, 2.30)) < 10
    assert points["E  BURGOS01"] == (None, None)
    assert points["E  LEON01"] == (None, None)


# --- the command ----------------------------------------------------------------------------------------------


def test_the_command_prints_the_counts_and_the_rejected_lines(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("import-institutions", str(write_csv(tmp_path, [*three_rows(), row(erasmus_code="E  TOLEDO3")])),
                 stdout=out, no_color=True)  # fmt: skip
    text = out.getvalue()
    assert "list.csv: 3 created, 0 updated, 0 unchanged, 1 rejected;" in text
    assert "  line 5: rejected, invalid Erasmus code 'E  TOLEDO3'" in text
    assert Institution.objects.count() == 3


def test_the_command_refuses_a_malformed_file_with_command_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path, three_rows(), header=[c for c in HEADER if c != "city"])
    with pytest.raises(CommandError, match=r"list\.csv: Line 1: required columns missing: city\. Nothing was imported"):
        call_command("import-institutions", str(path))
    assert Institution.objects.count() == 0


def test_the_console_script_exits_1_with_the_message_on_stderr(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [row(erasmus_eche_start="2021-02-30")])
    # The file is refused before any query: an empty database is enough.
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "mobilitas", "import-institutions", str(path)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Line 2: erasmus_eche_start '2021-02-30' is not a date (YYYY-MM-DD)." in result.stderr


# --- the real list --------------------------------------------------------------------------------------------


def test_it_imports_the_packaged_eche_list() -> None:
    """All 5,912 rows of the EC's list, twice (about 10 s on SQLite)."""
    started = time.perf_counter()
    report = import_institutions(importer.PACKAGED_ECHE_LIST)
    assert (report.created, report.updated, report.unchanged) == (5910, 0, 0)
    assert report.rejected == [
        (2358, "invalid Erasmus code 'E  TOLEDO3'"),
        (4221, "invalid Erasmus code 'F  VERDUN1'"),
    ]
    assert report.normalised_codes == 2  # 'F  PARIS 063', 'RSPROKUP01'
    assert (report.geocoded_from_list, report.geocoded_from_gazetteer, report.not_geocoded) == (3442, 2422, 46)
    assert Institution.objects.count() == 5910
    assert Institution.objects.filter(country="GR").count() == 32
    assert not Institution.objects.filter(country="EL").exists()
    assert Institution.objects.filter(erasmus_code__in=["F  PARIS063", "RS PROKUP01"]).count() == 2
    assert Institution.objects.exclude(schac_code="").count() == 5334
    assert not Institution.objects.filter(schac_code="edu.xunta.gal").exists()

    again = import_institutions(importer.PACKAGED_ECHE_LIST)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5910)
    assert time.perf_counter() - started < 60
