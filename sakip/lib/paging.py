"""Page numbers that do not count the whole table.

Django's Paginator counts every row that matches before it shows page 1: at 100,000 documents a list
filtered on "finished" counted 97,000 rows on every request (5 ms on SQLite, 20 ms on PostgreSQL, more
than the rest of the page). People read the first pages and narrow with the filters; nobody reads page
3,880. So the count here stops a bound past the page asked for, and the page says "or more" when it
stopped there.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

# How far past the page asked for the rows are counted: 40 pages of 25.
COUNT_BOUND = 1000
# A page number past this is taken as the last page (and keeps the LIMIT inside a 64-bit integer).
MAX_PAGE = 1_000_000


class BoundedPaginator(Paginator):
    """A Paginator whose count stops ``bound`` rows past the page asked for (``number``).

    ``bounded`` tells whether it stopped there: more rows exist than ``count`` says. Every page up to the
    count can be opened, and from the last one counted the next counting goes ``bound`` further.
    """

    def __init__(self, object_list, per_page, *, number=1, bound: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.bound = COUNT_BOUND if bound is None else bound
        try:
            wanted = min(max(int(number), 1), MAX_PAGE)
        except (TypeError, ValueError):
            wanted = 1
        # The rows up to the end of the page asked for, and ``bound`` more, and one to know there are more.
        self.limit = wanted * per_page + self.bound

    @cached_property
    def count(self) -> int:
        # COUNT(*) over a subquery with LIMIT: the database stops reading at the limit. Which rows are
        # counted does not matter, only how many, so without the order: an index that can answer the
        # filter alone is then enough, without reading the rows in the list's order.
        counted = self.object_list.order_by()[: self.limit + 1].count()
        self.bounded = counted > self.limit
        return min(counted, self.limit)

    #: Whether the count stopped at its limit: there are more rows than it says.
    bounded = False


def page_of(queryset, number, per_page: int = 25, *, bound: int | None = None):
    """The page ``number`` (any text from the query string) of ``queryset``: the first page for rubbish,
    the last counted page for one beyond it, as Paginator.get_page does."""
    return BoundedPaginator(queryset, per_page, number=number, bound=bound).get_page(number)
