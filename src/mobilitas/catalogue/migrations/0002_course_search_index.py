"""A GIN index for full-text search over the courses' folded texts, on PostgreSQL only.

The expression is the one `mobilitas.catalogue.search.SEARCH_VECTOR` queries with,
to_tsvector('simple'::regconfig, COALESCE(search_text, '')), written by Django from the same SearchVector so
that the two stay identical and the planner can use the index. The index is not part of the model's state (it
exists on PostgreSQL only), so makemigrations does not see it. Other databases: nothing to do.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX_NAME = "course_search_gin"


def _index() -> GinIndex:
    return GinIndex(SearchVector("search_text", config="simple"), name=INDEX_NAME)


def add_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_index(apps.get_model("catalogue", "Course"), _index())


def remove_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_index(apps.get_model("catalogue", "Course"), _index())


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunPython(add_index, remove_index, elidable=False)]
