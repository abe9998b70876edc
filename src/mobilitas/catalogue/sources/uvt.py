"""West University of Timișoara: complementary electives in Romanian (`data/uvt_electives.jsonl.gz`).

Titles and descriptions only: no code (the title as a slug stands in), no credits, no level. Two electives are
listed twice: the first is kept.
"""

from collections.abc import Iterator

from mobilitas.catalogue.sources.records import CourseRecord
from mobilitas.catalogue.sources.shipped import plain, read_jsonl, slug

SOURCE = "uvt"
INSTITUTION = "West University of Timișoara"
FILE = "uvt_electives.jsonl.gz"
TERMS = {"First": "semester 1", "Second": "semester 2"}


def load() -> Iterator[CourseRecord]:
    seen: set[str] = set()
    for row in read_jsonl(FILE):
        title = plain(row.get("name"))
        code = slug(title)
        if not title or code in seen:
            continue
        seen.add(code)
        yield CourseRecord(
            source=SOURCE,
            institution=INSTITUTION,
            code=code,
            titles={"ro": title},
            descriptions={"ro": description} if (description := plain(row.get("description"))) else {},
            languages=("ro",),
            term=TERMS.get(plain(row.get("semester")), ""),
            programme="Complementary electives",
        )
