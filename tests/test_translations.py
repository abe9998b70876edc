import gettext
import shutil
import subprocess
from pathlib import Path

import pytest

import mobilitas

PO = Path(mobilitas.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def _entries() -> list[tuple[str, str, bool, bool]]:
    """(msgid, msgstr, fuzzy, plural) of each entry, read without a gettext library."""
    entries, msgid, msgstr, fuzzy, plural, current = [], [], [], False, False, None
    for line in [*PO.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if msgid or msgstr:
                entries.append(("".join(msgid), "".join(msgstr), fuzzy, plural))
            msgid, msgstr, fuzzy, plural, current = [], [], False, False, None
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith(("msgid ", "msgid_plural ")):
            plural = plural or line.startswith("msgid_plural")
            current = msgid
            current.append(line.split(" ", 1)[1].strip('"'))
        elif line.startswith("msgstr"):
            current = msgstr
            current.append(line.split(" ", 1)[1].strip('"'))
        elif line.startswith('"') and current is not None:
            current.append(line.strip('"'))
    return entries[1:]  # the first entry is the header


def test_it_translates_every_string_into_french() -> None:
    entries = _entries()
    assert len(entries) > 300
    missing = [msgid for msgid, msgstr, fuzzy, _plural in entries if not msgstr or fuzzy]
    assert missing == [], f"{len(missing)} untranslated or fuzzy entries in {PO.name}: {missing[:5]}"


def test_the_compiled_catalogue_matches_the_source() -> None:
    with PO.with_suffix(".mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    singular = [(msgid, msgstr) for msgid, msgstr, _fuzzy, plural in _entries() if not plural and "\\" not in msgid]
    assert len(singular) > 300
    stale = [msgid for msgid, msgstr in singular if catalogue.gettext(msgid) != msgstr]
    assert stale == [], f"django.mo is older than django.po (run `make messages`): {stale[:5]}"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) is not installed")
def test_the_catalogue_keeps_every_placeholder() -> None:
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(PO)], capture_output=True, text=True)  # noqa: S603, S607
    assert result.returncode == 0, result.stderr
