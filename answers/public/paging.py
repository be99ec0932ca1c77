"""Pages of long public listings (search results, a topic's answers) that read whole
snapshot rows only for the page shown."""


class RowsById:
    """What Paginator takes (a count and slices): the order comes from `ordered_ids` (a
    values_list of primary keys, which an index can answer), and only the rows of the page
    shown are read, from `rows`. Sorting whole snapshots would read every matching row, and
    on SQLite a snapshot is about 90 kB. `count` is a number already known, or a queryset."""

    def __init__(self, ordered_ids, rows, *, count=None):
        self.ordered_ids, self.rows = ordered_ids, rows
        self._count = ordered_ids if count is None else count

    def count(self):
        if not isinstance(self._count, int):
            self._count = self._count.count()
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = list(self.ordered_ids[index])
        found = self.rows.in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]
