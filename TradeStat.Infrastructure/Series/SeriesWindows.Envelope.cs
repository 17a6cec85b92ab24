using System.Diagnostics;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// Min/max of any range of the held values from a pyramid of summaries: the sub-block summaries the windows keep
/// anyway, plus the min and max of every finished block and super-block (16 bytes per 4096 and per 262,144 values).
/// A range costs at most 63 values, 63 sub-blocks and 63 blocks at each end plus one step per super-block between.
/// </summary>
internal sealed partial class SeriesWindows
{
    public const int SuperShift = 18;
    public const int SuperLength = 1 << SuperShift;

    private ChunkedRing<MinMax>? _blocks;
    private ChunkedRing<MinMax>? _supers;
    private MinMax _superSoFar = MinMax.Empty;

    /// <summary>
    /// The min and max of each of <paramref name="min"/>.Length buckets over the values [from, to), bucket i
    /// from <c>from + ⌊i·n/buckets⌋</c>; the range must be held and hold at least as many values as there are buckets.
    /// </summary>
    public void Envelope(long from, long to, Span<double> min, Span<double> max)
    {
        Debug.Assert(min.Length == max.Length && min.Length > 0 && to - from >= min.Length && to <= _count);
        var n = to - from;
        Span<double> run = stackalloc double[SubLength];
        var end = from;
        for (var i = 0; i < min.Length; i++)
        {
            var start = end;
            end = from + (long)(((Int128)n * (i + 1)) / min.Length);
            var range = RangeMinMax(start, end, run);
            min[i] = range.Min;
            max[i] = range.Max;
        }
    }

    /// <summary>Min and max of the values [from, to): largest aligned finished unit first, single values only at the ends.</summary>
    private MinMax RangeMinMax(long from, long to, Span<double> run)
    {
        // Values before the open sub-block are in finished sub-blocks; a block or super-block is summarised once its
        // last sub-block is finished, so the same limit holds for them.
        var finished = Math.Min(to, (_count - 1) & ~(long)(SubLength - 1));
        var result = MinMax.Empty;
        while (from < to)
        {
            if ((from & (SuperLength - 1)) == 0 && from + SuperLength <= finished)
            {
                result = result.Then(_supers![from >> SuperShift]);
                from += SuperLength;
            }
            else if ((from & (BlockLength - 1)) == 0 && from + BlockLength <= finished)
            {
                result = result.Then(_blocks![from >> BlockShift]);
                from += BlockLength;
            }
            else if ((from & (SubLength - 1)) == 0 && from + SubLength <= finished)
            {
                var sub = _subs[from >> SubShift];
                result = result.Then(new MinMax(sub.Min, sub.Max));
                from += SubLength;
            }
            else
            {
                var stop = Math.Min(to, (from | (SubLength - 1)) + 1);
                var values = run[..(int)(stop - from)];
                CopyValues(from, values);
                foreach (var v in values)
                {
                    result = result.Then(v);
                }

                from = stop;
            }
        }

        return result;
    }

    /// <summary>Records a finished block's min and max, and its super-block's once that is finished too.</summary>
    private void BlockCompleted(long lastIndex, in Summary block)
    {
        var blocks = _blocks ??= new ChunkedRing<MinMax>((_reach >> BlockShift) + 2, chunkShift: 10);
        var range = new MinMax(block.Min, block.Max);
        blocks.Set(lastIndex >> BlockShift, range);
        _superSoFar = _superSoFar.Then(range);
        if (((lastIndex + 1) & (SuperLength - 1)) == 0)
        {
            var supers = _supers ??= new ChunkedRing<MinMax>((_reach >> SuperShift) + 2, chunkShift: 6);
            supers.Set(lastIndex >> SuperShift, _superSoFar);
            _superSoFar = MinMax.Empty;
        }
    }

    /// <summary>Min and max of a run of values; among equal extremes (0.0 and -0.0 included) the newer wins, as in <see cref="Summary"/>.</summary>
    private readonly record struct MinMax(double Min, double Max)
    {
        public static MinMax Empty => new(double.PositiveInfinity, double.NegativeInfinity);

        public MinMax Then(in MinMax newer) => new(
            newer.Min <= Min ? newer.Min : Min,
            newer.Max >= Max ? newer.Max : Max);

        public MinMax Then(double newer) => new(
            newer <= Min ? newer : Min,
            newer >= Max ? newer : Max);
    }
}
