"""Background work of course matching: the embeddings of an institution's courses, computed once and cached.

The matching page enqueues `warm_matching_index` (through `matching.service.enqueue_warming`) when the target
institution's embeddings are not all cached; `mobilitas catalogue-embeddings` does the same work in the foreground.
A run computes at most TEXTS_PER_RUN texts (a minute or two on 2 cores) and enqueues the next run for the rest, at a
low priority: the worker's other tasks (e-mails) do not wait for a whole catalogue to be embedded.
"""

import logging

from django.db import transaction
from django_tasks import task

from mobilitas.catalogue.matching.service import (
    matching_uses_model,
    warm_embeddings,
    warming_done,
    warming_goes_on,
)
from mobilitas.institutions.models import Institution

logger = logging.getLogger(__name__)

TEXTS_PER_RUN = 256


@task(priority=-50)
def warm_matching_index(institution_id: int) -> int:
    """Compute and cache embeddings of the institution's courses that the cache lacks (TEXTS_PER_RUN at most, the
    next run enqueued for the rest); returns how many the model computed. Nothing to do when matching does without
    the model."""
    institution = Institution.objects.filter(pk=institution_id).first()
    if institution is None or not matching_uses_model():
        warming_done(institution_id)
        return 0
    try:
        report = warm_embeddings(institution, limit=TEXTS_PER_RUN)
    except BaseException:
        warming_done(institution_id)  # a page may enqueue it again
        raise
    logger.info(
        "Course matching embeddings of %s: %d computed in %.1f s, %d to go (%d texts for %d courses)",
        institution.slug or institution.pk,
        report.computed,
        report.seconds,
        report.remaining,
        report.texts,
        report.courses,
    )
    if report.remaining:
        warming_goes_on(institution_id)
        transaction.on_commit(lambda: warm_matching_index.enqueue(institution_id))
    else:
        warming_done(institution_id)
    return report.computed
