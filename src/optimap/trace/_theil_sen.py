"""Exact Theil-Sen slopes of many rows at once, without listing the pairs.

The Theil-Sen slope of a series ``y[0 .. m-1]`` is the median of the
``m (m - 1) / 2`` slopes ``(y[j] - y[i]) / (j - i)``, ``i < j``: one or two
order statistics of the pair slopes (ranks ``k_low`` and ``k_high``). Listing
the pairs costs O(m**2) memory, several GB for the windows detrending uses, so
the slopes are never listed:

* **Counting.** A pair ``i < j`` has slope <= ``s`` exactly when ``j`` comes
  before ``i`` in the order of ``y - s * x``; so the number of slopes <= ``s``
  is the number of inversions of that order, counted for many rows at once by a
  merge sort in O(m log m) (:func:`count_slopes_at_most`).
* **Bracketing.** A few counts bracket the wanted ranks: first guesses from a
  random sample of pairs, then secant steps on the counts, bisection when they
  stall (:class:`_Bracket`, :func:`_trial_values`).
* **Sweeping.** Once one end of the bracket is within ``_SWEEP_BUDGET`` slopes
  of the ranks, a kinetic sweep steps from that end through the slopes one by
  one, in order: as ``s`` grows the order of ``y - s * x`` changes only by swaps
  of neighbours, so the next slope is always that of a neighbouring pair
  (:func:`_sweep`).

The cost is a few tens of counts, each O(m log m) per row, plus O(budget * sqrt(m))
for the sweep; rows of up to 129 samples list their slopes instead.
"""

import numpy as np

__all__ = ["theil_sen_slope", "count_slopes_at_most", "groups"]

_NAIVE_PAIRS = 8256  # at most this many pairs (129 samples): list them all
_SAMPLE_PAIRS = 1024  # random pairs per row that give the first guesses
_SWEEP_BUDGET = 64  # sweep once a bracket end is this many slopes from the ranks
_MAX_ROUNDS = 200  # safety net of the bracketing loop
_SEED = 20240901
CHUNK_ELEMENTS = 1 << 21  # rows x width per batch

# How the two middle slopes of a row are read once bracketing stops.
_OPEN = 0  # still bracketing
_SWEEP_UP = 1  # step up through the slopes above the lower end of the bracket
_SWEEP_DOWN = 2  # step down through the slopes at and below the upper end
_SPLIT = 3  # a trial value fell between the two middle slopes: one step each way from it
_SETTLED = 4  # known without a sweep (a constant row, a tie at 0, a bracket too narrow to halve)


def groups(keys):
    """``(key, indices)`` for each distinct value of ``keys``, in increasing order of the key.

    Rows of equal length or window are processed together this way.

    Examples
    --------
    >>> [(int(key), indices.tolist()) for key, indices in groups(np.array([5, 3, 5]))]
    [(3, [1]), (5, [0, 2])]
    """
    for key in np.unique(keys):
        yield key, np.flatnonzero(keys == key)


def theil_sen_slope(values, lengths, zero_counts=None):
    """Median of the slopes (y[j] - y[i]) / (j - i), i < j < lengths[r], of each row.

    ``values`` is (N, W) with row r valid in its first ``lengths[r]`` entries.
    The result equals ``np.median`` of all pair slopes, as
    ``scipy.stats.theilslopes(y)[0]`` computes it. ``zero_counts``, if given,
    are the numbers of slopes < 0 and <= 0 of each row.

    Examples
    --------
    >>> import numpy as np
    >>> theil_sen_slope(np.array([[0.0, 1.0, 2.0, 3.0, 100.0]]), np.array([5]))  # the outlier barely counts
    array([1.])
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    result = np.empty(values.shape[0])
    pairs = lengths * (lengths - 1) // 2
    k_low = (pairs + 1) // 2  # 1-based ranks of the middle slopes
    k_high = pairs // 2 + 1
    # Rows of similar length go together (the counting works on powers of two),
    # in chunks of bounded size.
    width_class = np.array([max(1, int(m - 1).bit_length()) for m in lengths])
    for cls, members in groups(width_class):
        chunk = max(1, CHUNK_ELEMENTS >> int(cls))
        for start in range(0, members.size, chunk):
            idx = members[start : start + chunk]
            width = int(lengths[idx].max())
            sub = values[idx, :width]
            if int(pairs[idx].max()) <= _NAIVE_PAIRS:
                low, high = _order_stats_by_listing(sub, lengths[idx], k_low[idx], k_high[idx])
            else:
                known = None if zero_counts is None else (zero_counts[0][idx], zero_counts[1][idx])
                low, high = _order_stats(sub, lengths[idx], k_low[idx], k_high[idx], known)
            result[idx] = (low + high) / 2
    return result


def count_slopes_at_most(values, lengths, s, strict=False, return_order=False):
    """Number of pair slopes <= s (``strict``: < s) in each row, without listing them.

    A pair i < j has slope <= s exactly when j comes before i in the order of
    y - s * x, so the count is the number of inversions of that order. With
    ``return_order``, that order is returned too (the start of a sweep).
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    chunk = max(1, CHUNK_ELEMENTS // values.shape[1])
    if not return_order and values.shape[0] > chunk:
        return np.concatenate(
            [
                count_slopes_at_most(values[i : i + chunk], lengths[i : i + chunk], s[i : i + chunk], strict)
                for i in range(0, values.shape[0], chunk)
            ]
        )
    order = _ordered(values, lengths, s, strict)
    count = _inversions(order)
    return (count, order) if return_order else count


def _order_stats_by_listing(values, lengths, k_low, k_high):
    """List all slopes (few) and partition them."""
    n_rows, width = values.shape
    i, j = np.triu_indices(width, 1)
    slopes = (values[:, j] - values[:, i]) / (j - i).astype(np.float64)
    slopes[j[np.newaxis, :] >= lengths[:, np.newaxis]] = np.inf
    kth = np.unique(np.concatenate([k_low, k_high]) - 1)
    slopes.partition(kth, axis=1)
    rows = np.arange(n_rows)
    return slopes[rows, k_low - 1], slopes[rows, k_high - 1]


def _ordered(values, lengths, s, strict=False):
    """Indices (int32) of each row sorted by y - s * x; the invalid tail stays last, in place.

    Ties are ordered by decreasing index (the pair counts as "slope <= s") or,
    with ``strict``, by increasing index (the pair counts as "slope > s")."""
    n_rows, width = values.shape
    columns = np.arange(width)
    z = values - s[:, np.newaxis] * columns.astype(np.float64)
    tail = columns[np.newaxis, :] >= lengths[:, np.newaxis]
    has_tail = bool(tail.any())
    if has_tail:
        z[tail] = np.inf
    order = np.argsort(z, axis=1).astype(np.int32)
    ordered_z = np.take_along_axis(z, order, axis=1)
    tied = ordered_z[:, 1:] == ordered_z[:, :-1]
    if has_tail:
        tied &= np.isfinite(ordered_z[:, 1:])
    if tied.any():
        # Ties are broken by index. Pairs of equal values are put right in place;
        # rows with three or more equal values are sorted again with a stable sort.
        many = (tied[:, 1:] & tied[:, :-1]).any(axis=1)
        r, p = np.nonzero(tied & ~many[:, np.newaxis])
        first, second = order[r, p], order[r, p + 1]
        wrong = (first > second) if strict else (first < second)
        r, p = r[wrong], p[wrong]
        order[r, p], order[r, p + 1] = second[wrong], first[wrong]
        if many.any():
            zt = z[many]
            if strict:
                order[many] = np.argsort(zt, axis=1, kind="stable")
            else:
                order[many] = (width - 1) - np.argsort(zt[:, ::-1], axis=1, kind="stable")
    if has_tail:
        order[tail] = np.broadcast_to(columns, (n_rows, width))[tail]
    return order


def _inversions(order, base=8):
    """Number of pairs p < q with order[p] > order[q], per row of permutations of 0..w-1.

    Bottom-up merge sort: inversions inside blocks of ``base`` by comparing all
    pairs, then for each merge of two sorted runs, the pairs split across them
    (the sort is numpy's; a tag bit marks the run each value came from)."""
    n_rows, width = order.shape
    full = 1 << max(1, (width - 1).bit_length())
    current = np.empty((n_rows, full), dtype=np.int32)
    current[:, :width] = order
    current[:, width:] = np.arange(width, full)  # in order after everything: no inversions
    size = min(base, full)
    blocks = current.reshape(n_rows, full // size, size)
    inside = np.zeros(blocks.shape[:2], dtype=np.int32)
    for p in range(size - 1):
        for q in range(p + 1, size):
            inside += blocks[:, :, p] > blocks[:, :, q]
    total = inside.sum(axis=1, dtype=np.int64)
    keys = np.sort(blocks, axis=2).reshape(n_rows, full) << 1
    while size < full:
        # merge runs of `size` into runs of 2 * size; left run tagged 0, right run 1
        run = size
        size *= 2
        tag = np.zeros(size, dtype=np.int32)
        tag[run:] = 1
        merged = keys.reshape(n_rows, full // size, size)
        merged &= ~1
        merged |= tag
        merged.sort(axis=2)
        # A right value at merged position p, the r-th right value (r = 0, 1, ...), has
        # p - r left values before it and run - (p - r) after it (inversions).
        index_type = np.int32 if size <= 32768 else np.int64
        right = (merged & 1).astype(index_type, copy=False)
        positions = right @ np.arange(size, dtype=index_type)
        per_merge = run * run - (positions.astype(np.int64) - run * (run - 1) // 2)
        total += per_merge.sum(axis=1)
        keys = merged.reshape(n_rows, full)
    return total


class _Bracket:
    """Every row's bracket around its two middle slopes, and what is known at the ends.

    The lower end ``lower_s`` has fewer than ``k_low`` slopes at or below it,
    the upper end ``upper_s`` at least ``k_high``. For each end the bracket keeps
    the count there and, once a count was made there, the order of the samples
    by ``y - s x`` (where a sweep starts). ``finish`` says how each row's slopes
    will be read: still ``_OPEN``, by a sweep, or ``_SETTLED`` with the answer
    already in ``low`` and ``high``.
    """

    def __init__(self, values, lengths, k_low, k_high):
        n_rows, width = values.shape
        self.k_low, self.k_high = k_low, k_high
        self.pairs = lengths * (lengths - 1) // 2
        self.low = np.full(n_rows, np.nan)
        self.high = np.full(n_rows, np.nan)
        self.finish = np.full(n_rows, _OPEN, dtype=np.int8)
        # All slopes lie between the smallest and the largest slope of neighbours.
        valid = np.arange(width)[np.newaxis, :] < lengths[:, np.newaxis]
        step = np.diff(values, axis=1)
        smallest = np.where(valid[:, 1:], step, np.inf).min(axis=1)
        largest = np.where(valid[:, 1:], step, -np.inf).max(axis=1)
        self.scale = np.maximum(np.abs(smallest), np.abs(largest))
        self.settle(np.flatnonzero(self.scale == 0), 0.0)  # constant rows: every slope is 0
        self.lower_s = smallest - 1e-9 * self.scale
        self.upper_s = largest + 1e-9 * self.scale
        self.lower_count = np.zeros(n_rows, dtype=np.int64)
        self.upper_count = self.pairs.copy()
        self.lower_order = np.zeros((n_rows, width), dtype=np.int32)
        self.upper_order = np.zeros((n_rows, width), dtype=np.int32)
        self.lower_known = np.zeros(n_rows, dtype=bool)
        self.upper_known = np.zeros(n_rows, dtype=bool)
        self.split_s = np.zeros(n_rows)
        self.split_orders = {}  # row -> order at split_s

    def open_rows(self):
        return np.flatnonzero(self.finish == _OPEN)

    def settle(self, rows, value):
        """Rows whose two middle slopes are both ``value``."""
        self.low[rows] = value
        self.high[rows] = value
        self.finish[rows] = _SETTLED

    def settle_ties_at_zero(self, rows, at_most, below):
        """Rows where 0 is both middle slopes: fewer than k_low slopes < 0, at least k_high <= 0."""
        exact = (below < self.k_low[rows]) & (at_most >= self.k_high[rows])
        self.settle(rows[exact], 0.0)

    def record(self, rows, s, counts, orders):
        """Counts of the slopes <= s of ``rows``: move the bracket ends in, or split the row at s."""
        below = counts < self.k_low[rows]
        above = counts >= self.k_high[rows]
        for ends, s_end, count_end, order_end, known_end in (
            (below, self.lower_s, self.lower_count, self.lower_order, self.lower_known),
            (above, self.upper_s, self.upper_count, self.upper_order, self.upper_known),
        ):
            s_end[rows[ends]] = s[ends]
            count_end[rows[ends]] = counts[ends]
            order_end[rows[ends]] = orders[ends]
            known_end[rows[ends]] = True
        for k in np.flatnonzero(~below & ~above & (self.finish[rows] == _OPEN)):
            row = int(rows[k])
            self.finish[row] = _SPLIT
            self.split_s[row] = s[k]
            self.split_orders[row] = orders[k]

    def steps_from_ends(self):
        """Slopes to step through from the lower end (up) and from the upper end (down)."""
        no_start = self.pairs + 1  # an end without an order cannot start a sweep
        up = np.where(self.lower_known, self.k_high - self.lower_count, no_start)
        down = np.where(self.upper_known, self.upper_count - self.k_low + 1, no_start)
        return up, down

    def choose_sweeps(self):
        """Open rows with an end within the sweep budget: sweep from the nearer end."""
        up, down = self.steps_from_ends()
        ready = (self.finish == _OPEN) & (np.minimum(up, down) <= _SWEEP_BUDGET)
        self.finish[ready] = np.where(up[ready] <= down[ready], _SWEEP_UP, _SWEEP_DOWN)

    def settle_narrow(self):
        """Open rows whose bracket is too narrow to halve in floating point: its middle is the answer."""
        middle = self.middle()
        width = self.upper_s - self.lower_s
        tolerance = (
            4 * np.finfo(float).eps * np.maximum(np.abs(self.lower_s), np.abs(self.upper_s)) + 1e-15 * self.scale
        )
        narrow = (width <= tolerance) | (middle <= self.lower_s) | (middle >= self.upper_s)
        rows = np.flatnonzero((self.finish == _OPEN) & narrow)
        self.settle(rows, middle[rows])

    def middle(self):
        return self.lower_s + 0.5 * (self.upper_s - self.lower_s)


class _Trials:
    """Where each open row counts next: from a sample of pairs at first, then secant steps.

    A secant through the last two counts aims at the middle rank; a step that
    leaves the bracket falls back on the sample of pairs, and a row whose
    distance to the ranks stopped halving twice is bisected. A narrow bracket
    around 0 holding many slopes (ties) is tried at 0 itself once.
    """

    def __init__(self, bracket, values, lengths, zero_tried):
        n_rows = values.shape[0]
        self.bracket = bracket
        self.target = (bracket.k_low + bracket.k_high - 1) / 2.0
        self.sample = _sample_slopes(values, lengths)
        self.last_s = np.full(n_rows, np.nan)
        self.last_count = np.zeros(n_rows)
        self.previous_s = np.full(n_rows, np.nan)
        self.previous_count = np.zeros(n_rows)
        self.nearest = self._distance()
        self.stalls = np.zeros(n_rows, dtype=np.int64)
        self.zero_tried = zero_tried

    def _distance(self):
        """Slopes between each row's ranks and the nearer end of its bracket."""
        bracket = self.bracket
        return np.minimum(bracket.k_high - bracket.lower_count, bracket.upper_count - bracket.k_low + 1)

    def first(self, rows):
        """First guesses: the sample's slope at the middle rank's share of the pairs."""
        share = self.target[rows] / self.bracket.pairs[rows]
        at = np.clip(np.round(share * _SAMPLE_PAIRS - 0.5).astype(np.int64), 0, _SAMPLE_PAIRS - 2)
        return 0.5 * (self.sample[rows, at] + self.sample[rows, at + 1])

    def next(self, rows):
        """The next trial value of each of ``rows``."""
        bracket = self.bracket
        distance = self._distance()
        self.stalls = np.where(distance > self.nearest // 2, self.stalls + 1, 0)
        self.nearest = distance
        last_s, last_count = self.last_s[rows], self.last_count[rows]
        previous_s, previous_count = self.previous_s[rows], self.previous_count[rows]
        lower, upper = bracket.lower_s[rows], bracket.upper_s[rows]
        # along the sample, by the share of the pairs still missing, a little beyond
        gap = (self.target[rows] - last_count) / bracket.pairs[rows] * _SAMPLE_PAIRS
        here = (self.sample[rows] < last_s[:, None]).sum(axis=1)
        at = np.clip(np.round(here + 1.3 * gap + 2 * np.sign(gap)).astype(np.int64), 0, _SAMPLE_PAIRS - 2)
        from_sample = 0.5 * (self.sample[rows, at] + self.sample[rows, at + 1])
        # the secant through the last two counts
        two = np.isfinite(previous_s) & (previous_count != last_count)
        secant = last_s + (self.target[rows] - last_count) * (last_s - previous_s) / np.where(
            two, last_count - previous_count, 1.0
        )
        s = np.where(two, secant, from_sample)
        s = np.where((s > lower) & (s < upper), s, from_sample)
        s = np.where((s > lower) & (s < upper) & (self.stalls[rows] < 2), s, bracket.middle()[rows])
        # ties: a narrow bracket around 0 that still holds many slopes
        at_zero = ~self.zero_tried[rows] & (lower < 0) & (upper > 0) & (upper - lower <= 1e-6 * bracket.scale[rows])
        self.zero_tried[rows[at_zero]] = True
        return np.where(at_zero, 0.0, s)

    def remember(self, rows, s, counts):
        self.previous_s[rows], self.previous_count[rows] = self.last_s[rows], self.last_count[rows]
        self.last_s[rows], self.last_count[rows] = s, counts


def _sample_slopes(values, lengths):
    """Sorted slopes of the same random pairs (by share of the length) in every row."""
    rng = np.random.default_rng(_SEED)
    u, v = rng.random(_SAMPLE_PAIRS), rng.random(_SAMPLE_PAIRS)
    sample = np.empty((values.shape[0], _SAMPLE_PAIRS))
    for length, same in groups(lengths):
        first = np.floor(u * length).astype(np.int64)
        other = (first + 1 + np.floor(v * (length - 1)).astype(np.int64)) % length
        a, b = np.minimum(first, other), np.maximum(first, other)
        sub = values[same]
        sample[same] = (sub[:, b] - sub[:, a]) / (b - a)
    sample.sort(axis=1)
    return sample


def _order_stats(values, lengths, k_low, k_high, zero_counts=None):
    """Slopes of 1-based ranks k_low <= k_high (= k_low or k_low + 1) of each row.

    Bracket the ranks by counting (:class:`_Bracket`, :class:`_Trials`) until
    one end is within the sweep budget, then read the slopes by sweeping
    (:func:`_read_by_sweeps`). ``zero_counts``: the counts of slopes < 0 and
    <= 0 when the caller has them (rows tied at 0 are then settled at once).
    """
    bracket = _Bracket(values, lengths, k_low, k_high)
    if zero_counts is not None:
        rows = np.flatnonzero((bracket.finish == _OPEN) & (bracket.lower_s < 0) & (bracket.upper_s > 0))
        bracket.settle_ties_at_zero(rows, zero_counts[1][rows], zero_counts[0][rows])
    zero_tried = np.full(values.shape[0], zero_counts is not None)
    trials = _Trials(bracket, values, lengths, zero_tried)
    for round_ in range(_MAX_ROUNDS):
        bracket.choose_sweeps()
        bracket.settle_narrow()
        rows = bracket.open_rows()
        if rows.size == 0:
            break
        s = trials.first(rows) if round_ == 0 else trials.next(rows)
        counts, orders = count_slopes_at_most(values[rows], lengths[rows], s, return_order=True)
        at_zero = np.flatnonzero(s == 0.0)
        if at_zero.size:
            below = count_slopes_at_most(values[rows[at_zero]], lengths[rows[at_zero]], s[at_zero], strict=True)
            bracket.settle_ties_at_zero(rows[at_zero], counts[at_zero], below)
        bracket.record(rows, s, counts, orders)
        trials.remember(rows, s, counts)
    else:  # safety net, not reached in practice: the middle of the bracket
        rows = bracket.open_rows()
        bracket.settle(rows, bracket.middle()[rows])
    _read_by_sweeps(bracket, values, lengths)
    return bracket.low, bracket.high


def _read_by_sweeps(bracket, values, lengths):
    """One sweep for every row that needs one: up from the lower end, down from the upper
    end, or both ways from a trial value that fell between the two middle slopes."""
    up = np.flatnonzero(bracket.finish == _SWEEP_UP)
    down = np.flatnonzero(bracket.finish == _SWEEP_DOWN)
    split = np.flatnonzero(bracket.finish == _SPLIT)
    if up.size + down.size + split.size == 0:
        return
    width = values.shape[1]
    k_low, k_high = bracket.k_low, bracket.k_high
    rows = np.concatenate([up, down, split, split])
    upward = np.concatenate(
        [np.ones(up.size, bool), np.zeros(down.size, bool), np.zeros(split.size, bool), np.ones(split.size, bool)]
    )
    one = np.ones(split.size, dtype=np.int64)
    t_first = np.concatenate(
        [k_low[up] - bracket.lower_count[up], bracket.upper_count[down] - k_low[down] + 1, one, one]
    )
    t_second = np.concatenate(
        [k_high[up] - bracket.lower_count[up], bracket.upper_count[down] - k_high[down] + 1, one, one]
    )
    split_orders = np.array([bracket.split_orders[int(r)] for r in split]).reshape(-1, width)
    start = np.concatenate([bracket.lower_order[up], bracket.upper_order[down], split_orders, split_orders])
    first, second = _sweep(values[rows], lengths[rows], start, upward, t_first, t_second)
    n_up, n_down, n_split = up.size, down.size, split.size
    bracket.low[up], bracket.high[up] = first[:n_up], second[:n_up]
    bracket.low[down], bracket.high[down] = first[n_up : n_up + n_down], second[n_up : n_up + n_down]
    # at split_s the count is k_low: the k_low-th slope is the largest <= s, the next one lies above
    bracket.low[split] = first[n_up + n_down : n_up + n_down + n_split]
    bracket.high[split] = first[n_up + n_down + n_split :]


def _sweep(values, lengths, order, upward, t_first, t_second):
    """Step through the slopes above (``upward``) or at and below a value, in order.

    ``order`` holds the indices of each row sorted by y - s * x at that value
    (ties: decreasing index). Returns the slopes met at steps ``t_first`` and
    ``t_second`` (1-based) of each row. As s grows the order changes by swaps
    of neighbours i < j at their slope, so the next slope above s is the
    smallest slope of a neighbouring pair still in index order (going down:
    the largest of a neighbouring pair out of index order)."""
    n_rows, width = values.shape
    rows = np.arange(n_rows)
    order = order.astype(np.int64)
    ys = np.take_along_axis(np.where(np.arange(width) < lengths[:, None], values, 0.0), order, axis=1)
    sign = np.where(upward, 1.0, -1.0)[:, None]
    up = upward[:, None]
    limit = lengths[:, None]
    n_pairs = width - 1
    block = max(8, int(np.sqrt(n_pairs)))
    n_blocks = -(-n_pairs // block)
    keys = np.full((n_rows, n_blocks * block), np.inf)

    def key(a, b, ya, yb, up_, sign_, limit_):
        ok = (b < limit_) & (a < limit_) & ((a < b) == up_)
        return np.where(ok, sign_ * ((yb - ya) / (b - a)), np.inf)

    keys[:, :n_pairs] = key(order[:, :-1], order[:, 1:], ys[:, :-1], ys[:, 1:], up, sign, limit)
    keys3 = keys.reshape(n_rows, n_blocks, block)
    block_min = keys3.min(axis=2)
    first = np.zeros(n_rows)
    second = np.zeros(n_rows)
    last = np.maximum(t_first, t_second)
    steps = int(last.max())
    around = np.array([-1, 0, 1])
    r = rows[:, None]
    for t in range(1, steps + 1):
        g = block_min.argmin(axis=1)
        inner = keys3[rows, g]
        j = inner.argmin(axis=1)
        value = inner[rows, j] * sign[:, 0]
        first[t_first == t] = value[t_first == t]
        second[t_second == t] = value[t_second == t]
        if t == steps:
            break
        p = g * block + j
        q = np.where(t < last, p + 1, p)  # finished rows swap nothing
        order[rows, p], order[rows, q] = order[rows, q], order[rows, p]
        ys[rows, p], ys[rows, q] = ys[rows, q], ys[rows, p]
        near = np.clip(p[:, None] + around, 0, n_pairs - 1)
        keys[r, near] = key(order[r, near], order[r, near + 1], ys[r, near], ys[r, near + 1], up, sign, limit)
        for gb in (near[:, 0] // block, near[:, 2] // block):
            block_min[rows, gb] = keys3[rows, gb].min(axis=1)
    return first, second
