using System.Runtime.CompilerServices;

namespace TradeStat.Infrastructure.Batch;

/// <summary>
/// Maps one random 64-bit value to a symbol index under a <see cref="SymbolDistribution"/>, in constant time and
/// without allocating: only the high 32 bits are used, because the generator takes price and quantity from the
/// low ones (and the sqrt formula, kept bit for bit, always used the high ones).
/// </summary>
internal sealed class SymbolPicker
{
    public const double ZipfExponent = 1.1;
    private const ulong One = 1UL << 32;

    private readonly SymbolDistribution _distribution;
    private readonly ulong _count;

    // Walker/Vose alias table (Zipf only): column i keeps i when the fraction is below _keep[i], else gives _alias[i].
    // O(1) per draw, where a binary search over a cumulative table would take ~15 unpredictable branches at 17,576.
    private readonly ulong[] _keep = [];
    private readonly int[] _alias = [];

    public SymbolPicker(SymbolDistribution distribution, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _distribution = distribution;
        _count = (ulong)count;
        if (distribution == SymbolDistribution.Zipf)
        {
            (_keep, _alias) = AliasTable(ZipfProbabilities(count));
        }
    }

    public static double[] ZipfProbabilities(int count)
    {
        var p = new double[count];
        var sum = 0.0;
        for (var k = 0; k < count; k++)
        {
            p[k] = Math.Pow(k + 1, -ZipfExponent);
            sum += p[k];
        }

        for (var k = 0; k < count; k++)
        {
            p[k] /= sum;
        }

        return p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Pick(ulong random)
    {
        var u = random >> 32;
        switch (_distribution)
        {
            case SymbolDistribution.Uniform:
                return (int)((u * _count) >> 32);
            case SymbolDistribution.Zipf:
                // The integer part picks a column, the fraction (uniform within it) decides between it and its alias.
                var scaled = u * _count;
                var column = (int)(scaled >> 32);
                return (scaled & (One - 1)) < _keep[column] ? column : _alias[column];
            default:
                return (int)((((u * u) >> 32) * _count) >> 32); // density ~ 1/sqrt: a few symbols dominate
        }
    }

    private static (ulong[] Keep, int[] Alias) AliasTable(double[] probabilities)
    {
        var n = probabilities.Length;
        var scaled = new double[n];
        var keep = new ulong[n];
        var alias = new int[n];
        var small = new Stack<int>();
        var large = new Stack<int>();
        for (var i = 0; i < n; i++)
        {
            scaled[i] = probabilities[i] * n;
            alias[i] = i;
            (scaled[i] < 1.0 ? small : large).Push(i);
        }

        while (small.Count > 0 && large.Count > 0)
        {
            var less = small.Pop();
            var more = large.Pop();
            keep[less] = (ulong)Math.Round(scaled[less] * One);
            alias[less] = more;
            scaled[more] -= 1.0 - scaled[less];
            (scaled[more] < 1.0 ? small : large).Push(more);
        }

        // What is left is full up to rounding: it keeps its own index whatever the fraction.
        while (small.Count > 0)
        {
            keep[small.Pop()] = One;
        }

        while (large.Count > 0)
        {
            keep[large.Pop()] = One;
        }

        return (keep, alias);
    }
}
