using System.Numerics;
using System.Runtime.CompilerServices;
using TradeStat.Domain.Batch;

namespace TradeStat.Infrastructure.Batch;

/// <summary>An unsigned 192-bit accumulator: O(1) add with carry, exact truncated division at the end.</summary>
public struct WideSum
{
    private ulong _low;
    private ulong _middle;
    private ulong _high;

    /// <summary>Adds the 128-bit value <paramref name="high"/>:<paramref name="low"/>; <paramref name="high"/> must be below 2^63.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(ulong high, ulong low)
    {
        // Branches on the carries (rare, so predicted) take fewer instructions than computing them as values.
        var newLow = _low + low;
        var newMiddle = _middle + high;
        if (newMiddle < high)
        {
            _high++;
        }

        if (newLow < low && ++newMiddle == 0)
        {
            _high++;
        }

        _low = newLow;
        _middle = newMiddle;
    }

    /// <summary>Adds another sum (wrapping above 2^192, which no real input reaches).</summary>
    public void Add(in WideSum other)
    {
        var low = _low + other._low;
        var carry = low < other._low ? 1UL : 0UL;
        var middle = _middle + other._middle;
        var carryOut = middle < other._middle ? 1UL : 0UL;
        middle += carry;
        carryOut += middle < carry ? 1UL : 0UL;
        _low = low;
        _middle = middle;
        _high += other._high + carryOut;
    }

    /// <summary>The sum divided by <paramref name="divisor"/>, truncated; the quotient must fit in 128 bits.</summary>
    public readonly UInt128 DivideTruncated(UInt128 divisor)
    {
        if (_high == 0)
        {
            return new UInt128(_middle, _low) / divisor;
        }

        return (UInt128)(ToBigInteger() / (BigInteger)divisor);
    }

    /// <summary>The exact value.</summary>
    public readonly BigInteger ToBigInteger() =>
        ((BigInteger)_high << 128) | ((BigInteger)_middle << 64) | _low;
}
