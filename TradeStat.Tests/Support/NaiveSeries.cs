using System.Numerics;
using TradeStat.Domain.Series;

namespace TradeStat.Tests.Support;

/// <summary>
/// The obviously-correct twin of the series engine: every value kept in a list, min/max by a scan, mean and
/// variance exact from BigInteger prefix sums (see <see cref="ExactStats"/>). O(window) per query.
/// </summary>
public sealed class NaiveSeries
{
    private readonly List<double> _values = [];
    private readonly List<BigInteger> _prefix1 = [BigInteger.Zero];
    private readonly List<BigInteger> _prefix2 = [BigInteger.Zero];

    public long Count => _values.Count;

    public void Add(double value)
    {
        var m = ExactStats.ToScaledInteger(value);
        _values.Add(value);
        _prefix1.Add(_prefix1[^1] + m);
        _prefix2.Add(_prefix2[^1] + (m * m));
    }

    public void AddRange(ReadOnlySpan<double> values)
    {
        foreach (var v in values)
        {
            Add(v);
        }
    }

    /// <summary>Statistics over the last min(window, Count) values.</summary>
    public SeriesStats Stats(long window)
    {
        var n = (int)Math.Min(window, _values.Count);
        var start = _values.Count - n;
        var min = double.PositiveInfinity;
        var max = double.NegativeInfinity;
        for (var i = start; i < _values.Count; i++)
        {
            // Among equal values (0.0 and -0.0 included) the newest is reported, as the engine does.
            var v = _values[i];
            if (v <= min)
            {
                min = v;
            }

            if (v >= max)
            {
                max = v;
            }
        }

        var s1 = _prefix1[^1] - _prefix1[start];
        var s2 = _prefix2[^1] - _prefix2[start];
        var (mean, variance) = ExactStats.FromSums(n, s1, s2);
        return new SeriesStats(n, min, max, _values[^1], mean, variance);
    }

    /// <summary>
    /// The min/max envelope of the last min(window, Count) values in min(buckets, n) buckets, by scanning every value;
    /// among equal extremes the newest is reported, as the engine does.
    /// </summary>
    public SeriesEnvelope Envelope(long window, int buckets)
    {
        var n = (int)Math.Min(window, _values.Count);
        var start = _values.Count - n;
        var b = Math.Min(buckets, n);
        var min = new double[b];
        var max = new double[b];
        for (var i = 0; i < b; i++)
        {
            var from = start + (int)((long)n * i / b);
            var to = start + (int)((long)n * (i + 1) / b);
            min[i] = double.PositiveInfinity;
            max[i] = double.NegativeInfinity;
            for (var j = from; j < to; j++)
            {
                var v = _values[j];
                if (v <= min[i])
                {
                    min[i] = v;
                }

                if (v >= max[i])
                {
                    max[i] = v;
                }
            }
        }

        return new SeriesEnvelope(n, start, min, max);
    }
}
