"""A paginator for long lists read deep into (the register's page 2,000)."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class KeysFirstPaginator(Paginator):
    """Finds a page's primary keys first, then reads just those rows.

    A plain page at OFFSET 50,000 makes the database fetch and skip 50,000 whole rows. Asked
    for keys alone, it counts them off an index that holds the list's order and its keys
    (an index-only scan), then reads the page's rows by key: the same rows, in the same
    order, in one query. Use it where such an index exists (see DecisionRecord's Meta).

    With `count_limit`, it counts no further than that (a search for a common word matches
    most of the register, and counting every match is most of the page's work): the pages
    hold the first `count_limit` rows, and `more_than_counted` says whether there are more.
    """

    more_than_counted = False

    def __init__(self, *args, count_limit: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_limit = count_limit

    @cached_property
    def count(self):
        if self.count_limit is None:
            return super().count
        # Any count_limit + 1 keys will do: no order to find them in.
        found = self.object_list.order_by().values("pk")[: self.count_limit + 1].count()
        self.more_than_counted = found > self.count_limit
        return min(found, self.count_limit)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if bottom == 0:
            return self._get_page(self.object_list[:top], number, self)  # nothing to skip
        keys = self.object_list.values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=keys), number, self)
