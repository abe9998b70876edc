"""Adapters for the real course catalogues shipped in `catalogue/data/`: each yields `CourseRecord`s.

`load_all()` gives every source's records (3,831 courses, about 1 s), `load("aalto")` one source's.
"""

from collections.abc import Callable, Iterable, Iterator

from mobilitas.catalogue.sources import aalto, fu_berlin, glasgow_deakin, ionian, poitiers, upm, uvt
from mobilitas.catalogue.sources.records import CourseRecord

LOADERS: dict[str, Callable[[], Iterator[CourseRecord]]] = {
    aalto.SOURCE: aalto.load,
    fu_berlin.SOURCE: fu_berlin.load,
    glasgow_deakin.SOURCE: glasgow_deakin.load,
    ionian.SOURCE: ionian.load,
    uvt.SOURCE: uvt.load,
    upm.SOURCE: upm.load,
    poitiers.SOURCE: poitiers.load,
}


def load(source: str) -> Iterator[CourseRecord]:
    """The records of one source; KeyError names the sources there are."""
    try:
        loader = LOADERS[source]
    except KeyError:
        raise KeyError(f"unknown course source {source!r}; known: {', '.join(LOADERS)}") from None
    return loader()


def load_all(sources: Iterable[str] | None = None) -> list[CourseRecord]:
    """The records of the given sources (all by default), source by source."""
    return [record for source in (sources or LOADERS) for record in load(source)]


__all__ = ["LOADERS", "CourseRecord", "load", "load_all"]
