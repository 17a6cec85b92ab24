using TradeStat.Domain.Feed;

namespace TradeStat.Infrastructure.Feed;

/// <summary>
/// Update O(log d) worst case (d = distinct prices kept), read O(1); memory 32 bytes per distinct price.
/// Infinite median of integer prices: a count per distinct price in an AVL tree (array-backed nodes, doubling growth)
/// plus two cursors on the lower and upper middle values, moved by at most one level per insert. Exact until more than <c>maxDistinct</c> levels exist; then every price is rounded to
/// <see cref="SignificantDigits"/> significant decimal digits (levels merged, see <see cref="MaxRelativeError"/>).
/// Not thread-safe: the owner serialises writers and readers.
/// </summary>
public sealed class StreamingMedian
{
    private const int Nil = -1;

    private Node[] _nodes;
    private int _size;
    private int _root = Nil;
    private readonly int _maxDistinct;

    // Cursor = (node, number of prices strictly below the node's price).
    private int _lo = Nil;
    private long _loBelow;
    private int _hi = Nil;
    private long _hiBelow;

    /// <summary>Creates an empty median that stays exact up to <paramref name="maxDistinct"/> distinct prices.</summary>
    public StreamingMedian(int maxDistinct = int.MaxValue, int initialCapacity = 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDistinct, 2);
        _maxDistinct = maxDistinct;
        _nodes = new Node[Math.Max(1, initialCapacity)];
    }

    /// <summary>Number of prices seen.</summary>
    public long Count { get; private set; }

    /// <summary>Distinct price levels currently kept.</summary>
    public int Distinct => _size;

    /// <summary>Significant digits prices are rounded to; 19 (no rounding) while exact.</summary>
    public int SignificantDigits { get; private set; } = 19;

    /// <summary>True while no level has ever been merged.</summary>
    public bool IsExact => SignificantDigits >= 19;

    /// <summary>
    /// Bound on |reported − true| / true median: 0 while exact, else Σ 0.5·10^(1−sᵢ) over the merges so far
    /// (s₁ &gt; s₂ &gt; … the digits kept by each; below (5/9)·10^(1−s) for the last s). A price kept through several merges
    /// is rounded once per merge (10045 → 10050 → 10100), so each rounding's error adds up; every price then lies
    /// within this relative distance of its true value, hence so does every order statistic and the mean of two.
    /// </summary>
    public double MaxRelativeError { get; private set; }

    /// <summary>Lower middle + upper middle price, in units (twice the median); 0 when empty. O(1).</summary>
    public long MedianHalfUnits { get; private set; }

    /// <summary>Adds one price (in units, ≥ 0). O(log d).</summary>
    public void Add(long price)
    {
        if (!IsExact)
        {
            price = Round(price, SignificantDigits);
        }

        var node = Find(price);
        if (node == Nil)
        {
            // At one significant digit at most 9 levels per decade remain (≤ 172 in all): merging further would round
            // to zero digits, so the budget is allowed to be exceeded by that bounded amount instead.
            if (_size >= _maxDistinct && SignificantDigits > 1)
            {
                Compress();
                price = Round(price, SignificantDigits);
                node = Find(price);
            }

            if (node == Nil)
            {
                node = NewNode(price);
                _root = Insert(_root, node);
            }
        }

        _nodes[node].Count++;
        Count++;
        if (Count == 1)
        {
            _lo = _hi = node;
            _loBelow = _hiBelow = 0;
        }
        else
        {
            MoveCursor(ref _lo, ref _loBelow, price, (Count - 1) / 2);
            MoveCursor(ref _hi, ref _hiBelow, price, Count / 2);
        }

        MedianHalfUnits = _nodes[_lo].Key + _nodes[_hi].Key;
    }

    /// <summary>The median as an exact decimal, or null when empty.</summary>
    public decimal? Median => Count == 0 ? null : ScaledPrice.ToDecimal(MedianHalfUnits);

    private void MoveCursor(ref int cursor, ref long below, long added, long rank)
    {
        if (added < _nodes[cursor].Key)
        {
            below++;
        }

        while (rank < below)
        {
            cursor = Predecessor(_nodes[cursor].Key);
            below -= _nodes[cursor].Count;
        }

        while (rank >= below + _nodes[cursor].Count)
        {
            below += _nodes[cursor].Count;
            cursor = Successor(_nodes[cursor].Key);
        }
    }

    private int Find(long key)
    {
        var n = _root;
        var nodes = _nodes;
        while (n != Nil)
        {
            ref var node = ref nodes[n];
            if (key == node.Key)
            {
                return n;
            }

            n = key < node.Key ? node.Left : node.Right;
        }

        return Nil;
    }

    private int Predecessor(long key)
    {
        int n = _root, best = Nil;
        while (n != Nil)
        {
            if (_nodes[n].Key < key)
            {
                best = n;
                n = _nodes[n].Right;
            }
            else
            {
                n = _nodes[n].Left;
            }
        }

        return best;
    }

    private int Successor(long key)
    {
        int n = _root, best = Nil;
        while (n != Nil)
        {
            if (_nodes[n].Key > key)
            {
                best = n;
                n = _nodes[n].Left;
            }
            else
            {
                n = _nodes[n].Right;
            }
        }

        return best;
    }

    private int NewNode(long key)
    {
        if (_size == _nodes.Length)
        {
            Array.Resize(ref _nodes, _nodes.Length * 2);
        }

        _nodes[_size] = new Node { Key = key, Left = Nil, Right = Nil, Height = 1 };
        return _size++;
    }

    // Recursive AVL insert of an already allocated node; depth ≤ 1.44·log2(d).
    private int Insert(int root, int node)
    {
        if (root == Nil)
        {
            return node;
        }

        if (_nodes[node].Key < _nodes[root].Key)
        {
            _nodes[root].Left = Insert(_nodes[root].Left, node);
        }
        else
        {
            _nodes[root].Right = Insert(_nodes[root].Right, node);
        }

        return Balance(root);
    }

    private int Height(int n) => n == Nil ? 0 : _nodes[n].Height;

    private void Update(int n) => _nodes[n].Height = 1 + Math.Max(Height(_nodes[n].Left), Height(_nodes[n].Right));

    private int Balance(int n)
    {
        Update(n);
        var factor = Height(_nodes[n].Left) - Height(_nodes[n].Right);
        if (factor > 1)
        {
            if (Height(_nodes[_nodes[n].Left].Left) < Height(_nodes[_nodes[n].Left].Right))
            {
                _nodes[n].Left = RotateLeft(_nodes[n].Left);
            }

            return RotateRight(n);
        }

        if (factor < -1)
        {
            if (Height(_nodes[_nodes[n].Right].Right) < Height(_nodes[_nodes[n].Right].Left))
            {
                _nodes[n].Right = RotateRight(_nodes[n].Right);
            }

            return RotateLeft(n);
        }

        return n;
    }

    private int RotateRight(int n)
    {
        var l = _nodes[n].Left;
        _nodes[n].Left = _nodes[l].Right;
        _nodes[l].Right = n;
        Update(n);
        Update(l);
        return l;
    }

    private int RotateLeft(int n)
    {
        var r = _nodes[n].Right;
        _nodes[n].Right = _nodes[r].Left;
        _nodes[r].Left = n;
        Update(n);
        Update(r);
        return r;
    }

    /// <summary>
    /// Drops one significant digit until at most half the level budget is used, merging the levels that round to the
    /// same value (O(d) per merge; at most 18 merges in a lifetime). Cursors are rebuilt by one in-order walk.
    /// </summary>
    private void Compress()
    {
        var keys = new List<(long Key, long Count)>(_size);
        InOrder(_root, keys);
        var digits = Math.Min(SignificantDigits, DigitCount(keys[^1].Key));
        if (digits <= 1)
        {
            // Every key already has one significant digit (at most 10 levels below 10): nothing left to merge.
            return;
        }

        List<(long Key, long Count)> merged;
        do
        {
            digits--;
            merged = new List<(long, long)>(keys.Count);
            foreach (var (key, count) in keys)
            {
                var r = Round(key, digits);
                if (merged.Count > 0 && merged[^1].Key == r)
                {
                    merged[^1] = (r, merged[^1].Count + count);
                }
                else
                {
                    merged.Add((r, count));
                }
            }
        }
        while (merged.Count > _maxDistinct / 2 && digits > 1);

        SignificantDigits = digits;
        MaxRelativeError += 0.5 * Math.Pow(10, 1 - digits);
        var prices = new long[merged.Count];
        var counts = new long[merged.Count];
        for (var k = 0; k < merged.Count; k++)
        {
            (prices[k], counts[k]) = merged[k];
        }

        _size = 0;
        _root = BuildFrom(prices, counts);
        PlaceCursors();
    }

    private void InOrder(int n, List<(long, long)> output)
    {
        if (n == Nil)
        {
            return;
        }

        InOrder(_nodes[n].Left, output);
        output.Add((_nodes[n].Key, _nodes[n].Count));
        InOrder(_nodes[n].Right, output);
    }

    private static int DigitCount(long v)
    {
        var d = 1;
        while (v >= 10)
        {
            v /= 10;
            d++;
        }

        return d;
    }

    /// <summary>Rounds half up to <paramref name="digits"/> significant decimal digits (monotone non-decreasing).</summary>
    internal static long Round(long value, int digits)
    {
        var count = DigitCount(value);
        if (count <= digits)
        {
            return value;
        }

        long unit = 1;
        for (var i = 0; i < count - digits; i++)
        {
            unit *= 10;
        }

        return (value + (unit / 2)) / unit * unit;
    }

    /// <summary>Copies the levels in ascending price order into the two spans (each at least <see cref="Distinct"/> long). O(d).</summary>
    internal void CopyLevels(Span<long> prices, Span<long> counts)
    {
        if (prices.Length < _size || counts.Length < _size)
        {
            throw new ArgumentException($"{_size} levels do not fit in {prices.Length} prices and {counts.Length} counts.");
        }

        var fill = new LevelCopy(prices, counts);
        VisitLevels(ref fill);
    }

    /// <summary>Hands every level to <paramref name="visitor"/> in ascending price order, without allocating. O(d).</summary>
    internal void VisitLevels<TVisitor>(ref TVisitor visitor)
        where TVisitor : ILevelVisitor, allows ref struct => Visit(_root, ref visitor);

    /// <summary>
    /// Rebuilds a median from its levels (ascending prices, counts ≥ 1) and its merge state, as
    /// <see cref="CopyLevels"/>, <see cref="SignificantDigits"/> and <see cref="MaxRelativeError"/> gave them. O(d): the
    /// tree is built balanced from the sorted levels, the cursors are placed by rank. Every later <see cref="Add"/>,
    /// merges included, then behaves exactly as on the original: the answers depend only on the levels, the count and
    /// the merge state, never on the tree's shape. A budget below the number of levels is allowed: the next new price
    /// merges, as it would have on the original.
    /// </summary>
    /// <exception cref="ArgumentException">The levels or the merge state are not ones a median can have.</exception>
    internal static StreamingMedian FromLevels(
        ReadOnlySpan<long> prices, ReadOnlySpan<long> counts, int significantDigits, double maxRelativeError, int maxDistinct)
    {
        var problem = FindLevelsProblem(prices, counts, significantDigits, maxRelativeError, out var total);
        if (problem is not null)
        {
            throw new ArgumentException(problem);
        }

        var median = new StreamingMedian(maxDistinct, Math.Max(16, prices.Length));
        median.SignificantDigits = significantDigits;
        median.MaxRelativeError = maxRelativeError;
        median.Count = total;
        median._root = median.BuildFrom(prices, counts);
        if (total > 0)
        {
            median.PlaceCursors();
        }

        return median;
    }

    /// <summary>
    /// Why <paramref name="prices"/> and <paramref name="counts"/> with this merge state cannot be a median's levels, or
    /// null when they can; <paramref name="total"/> is the sum of the counts. O(d).
    /// </summary>
    internal static string? FindLevelsProblem(
        ReadOnlySpan<long> prices, ReadOnlySpan<long> counts, int significantDigits, double maxRelativeError, out long total)
    {
        total = 0;
        if (prices.Length != counts.Length)
        {
            return $"{prices.Length} prices but {counts.Length} counts";
        }

        if (significantDigits is < 1 or > 19)
        {
            return $"significant digits {significantDigits} outside 1..19";
        }

        // Exact until the first merge, and every merge adds a positive term below 1 in all.
        if (significantDigits == 19 ? maxRelativeError != 0 : !(maxRelativeError > 0 && maxRelativeError < 1))
        {
            return $"maximum relative error {maxRelativeError} impossible at {significantDigits} significant digits";
        }

        for (var i = 0; i < prices.Length; i++)
        {
            if (prices[i] < 0)
            {
                return $"level {i}: negative price {prices[i]}";
            }

            if (i > 0 && prices[i] <= prices[i - 1])
            {
                return $"level {i}: price {prices[i]} not above the previous level's {prices[i - 1]}";
            }

            if (counts[i] < 1)
            {
                return $"level {i}: count {counts[i]} below 1";
            }

            if (counts[i] > long.MaxValue - total)
            {
                return $"level {i}: the counts overflow";
            }

            total += counts[i];
        }

        return null;
    }

    // Nodes are allocated in key order (left subtree first), so node i holds level i.
    private int BuildFrom(ReadOnlySpan<long> prices, ReadOnlySpan<long> counts)
    {
        if (prices.IsEmpty)
        {
            return Nil;
        }

        var mid = (prices.Length - 1) >>> 1;
        var left = BuildFrom(prices[..mid], counts[..mid]);
        var n = NewNode(prices[mid]);
        _nodes[n].Count = counts[mid];
        _nodes[n].Left = left;
        _nodes[n].Right = BuildFrom(prices[(mid + 1)..], counts[(mid + 1)..]);
        Update(n);
        return n;
    }

    // Requires nodes 0.._size−1 to be the levels in key order (as BuildFrom leaves them) and Count > 0.
    private void PlaceCursors()
    {
        long below = 0;
        long loRank = (Count - 1) / 2, hiRank = Count / 2;
        for (var i = 0; i < _size; i++)
        {
            var c = _nodes[i].Count;
            if (loRank >= below && loRank < below + c)
            {
                _lo = i;
                _loBelow = below;
            }

            if (hiRank >= below && hiRank < below + c)
            {
                _hi = i;
                _hiBelow = below;
            }

            below += c;
        }

        MedianHalfUnits = _nodes[_lo].Key + _nodes[_hi].Key;
    }

    // Recursion only on the left child (depth ≤ the tree's height); the right spine is a loop.
    private void Visit<TVisitor>(int n, ref TVisitor visitor)
        where TVisitor : ILevelVisitor, allows ref struct
    {
        while (n != Nil)
        {
            Visit(_nodes[n].Left, ref visitor);
            visitor.Level(_nodes[n].Key, _nodes[n].Count);
            n = _nodes[n].Right;
        }
    }

    /// <summary>Receives a median's levels, in ascending price order, from <see cref="VisitLevels"/>.</summary>
    internal interface ILevelVisitor
    {
        /// <summary>One level: a price kept and how many prices it holds (≥ 1).</summary>
        void Level(long price, long count);
    }

    private ref struct LevelCopy(Span<long> prices, Span<long> counts) : ILevelVisitor
    {
        private readonly Span<long> _prices = prices;
        private readonly Span<long> _counts = counts;
        private int _next;

        public void Level(long price, long count)
        {
            _prices[_next] = price;
            _counts[_next] = count;
            _next++;
        }
    }

    private struct Node
    {
        public long Key;
        public long Count;
        public int Left;
        public int Right;
        public int Height;
    }
}
