"""A paginator for long lists read deep into (the register's page 2,000)."""

from django.core.paginator import Paginator


class KeysFirstPaginator(Paginator):
    """Finds a page's primary keys first, then reads just those rows.

    A plain page at OFFSET 50,000 makes the database fetch and skip 50,000 whole rows. Asked
    for keys alone, it counts them off an index that holds the list's order and its keys
    (an index-only scan), then reads the page's rows by key: the same rows, in the same
    order, in one query. Use it where such an index exists (see DecisionRecord's Meta).
    """

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
