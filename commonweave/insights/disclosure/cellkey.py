"""The ONS cell-key method for counts of people (as used for Census 2021 outputs).

Every resident has a record key, a random whole number from 0 to 255 given once when the
record is made (people.Resident.record_key). A cell's key is the sum of the record keys of
the people counted in it, modulo 256; the count and the cell key together pick a small
change from the perturbation table. The same people always give the same cell key, so the
same cell is changed the same way every time it is published, and asking again gains
nothing; adding or removing one person changes the cell key at random, so two tables that
differ by one person do not show whether, or by how much, the count really changed.

The table here is our own (ONS does not publish the one it uses for the census): for a
count of at least the threshold, a change of -2, -1, 0, +1 or +2 with chances 5%, 15%,
60%, 15% and 5% (in 256ths: 13, 38, 154, 38, 13), so on average a count is not moved;
a count is never moved below the threshold. Counts from 1 to threshold-1 are never shown,
whatever their perturbation. The table has the layout of the ONS package
(`cell_key_perturbation`: pcv, ckey, pvalue), which the tests use as the reference.
"""

KEY_RANGE = 256  # record keys and cell keys are 0..255
# (change, how many of the 256 cell keys give it), in cell-key order
CHANGES = ((-2, 13), (-1, 38), (0, 154), (1, 38), (2, 13))
# The ONS layout: rows for counts 1..750; a larger count reads the rows 501..750 again.
MAX_PCV = 750


def _change_for_key() -> tuple:
    out = []
    for change, keys in CHANGES:
        out.extend([change] * keys)
    if len(out) != KEY_RANGE:
        raise ValueError("The perturbation table must give a change for every cell key")
    return tuple(out)


_BY_KEY = _change_for_key()


def pcv(count: int) -> int:
    """The row of the table a count reads (the ONS package's rule for counts above 750)."""
    return count if count <= MAX_PCV else ((count - 1) % 250) + 501


def pvalue(row: int, cell_key: int, *, threshold: int) -> int:
    """The change the table gives for a count's row and a cell key."""
    if row < threshold:
        return 0  # never shown (suppressed), so never perturbed
    return max(_BY_KEY[cell_key % KEY_RANGE], threshold - row)


def cell_key(keys_sum: int) -> int:
    return keys_sum % KEY_RANGE


def perturb(count: int, keys_sum: int, *, threshold: int) -> int:
    """The count after the cell-key change (not yet rounded or suppressed)."""
    if count < threshold:
        return count
    row = pcv(count)
    return count + max(pvalue(row, cell_key(keys_sum), threshold=threshold), threshold - count)


def ptable_rows(*, threshold: int):
    """The whole table as (pcv, ckey, pvalue) rows, the ONS package's layout."""
    for row in range(1, MAX_PCV + 1):
        for key in range(KEY_RANGE):
            yield row, key, pvalue(row, key, threshold=threshold)
