"""Numbers that no longer fit the resized columns stop the migration with a list, never a silent cut."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.performance.factories import make_agreement

BEFORE = ("performance", "0003_default_rating_bands")
AFTER = ("performance", "0004_frozen_content_exact_numbers")


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_resize_over_a_number_that_would_not_fit():
    agreement = make_agreement(objectives=1, indicators_per_objective=1, programmes_per_objective=0)
    indicator_id = agreement.objectives.get().indicators.get().pk
    _migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE performance_indicator SET target = 10000000000000 WHERE id = %s", [indicator_id])
        with pytest.raises(RuntimeError, match=f"performance_indicator.target id={indicator_id}"):
            _migrate(AFTER)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE performance_indicator SET target = 99999999999.9999 WHERE id = %s", [indicator_id])
    finally:
        _migrate(max(MigrationExecutor(connection).loader.graph.leaf_nodes("performance")))
    with connection.cursor() as cursor:
        cursor.execute("SELECT target FROM performance_indicator WHERE id = %s", [indicator_id])
        assert str(cursor.fetchone()[0]).startswith("99999999999.9999")
