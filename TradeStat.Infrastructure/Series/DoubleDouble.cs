using System.Runtime.CompilerServices;

namespace TradeStat.Infrastructure.Series;

/// <summary>
/// O(1) per operation; 16 bytes, no allocation.
/// An unevaluated sum hi + lo of two doubles with |lo| ≤ ulp(hi)/2: about 106 significant bits.
/// Additions use TwoSum with one renormalisation (~2^-104 relative).
/// </summary>
internal readonly struct DoubleDouble(double hi, double lo)
{
    public readonly double Hi = hi;
    public readonly double Lo = lo;


    public double Value => Hi + Lo;

    /// <summary>hi + lo as a double-double, whatever their magnitudes (TwoSum).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleDouble FromSum(double hi, double lo)
    {
        var s = hi + lo;
        var bb = s - hi;
        return new DoubleDouble(s, (hi - (s - bb)) + (lo - bb));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleDouble operator +(DoubleDouble a, DoubleDouble b)
    {
        var s = a.Hi + b.Hi;
        var bb = s - a.Hi;
        var err = (a.Hi - (s - bb)) + (b.Hi - bb);
        err += a.Lo + b.Lo;
        return Normalize(s, err);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleDouble operator -(DoubleDouble a, DoubleDouble b) => a + new DoubleDouble(-b.Hi, -b.Lo);

    public static DoubleDouble operator *(DoubleDouble a, DoubleDouble b)
    {
        var p = a.Hi * b.Hi;
        var e = Math.FusedMultiplyAdd(a.Hi, b.Hi, -p);
        e += (a.Hi * b.Lo) + (a.Lo * b.Hi);
        return Normalize(p, e);
    }

    public static DoubleDouble operator /(DoubleDouble a, double b)
    {
        var q1 = a.Hi / b;
        var p = q1 * b;
        var pe = Math.FusedMultiplyAdd(q1, b, -p);
        var r = ((a.Hi - p) - pe) + a.Lo;
        var q2 = r / b;
        return Normalize(q1, q2);
    }

    public static DoubleDouble operator +(DoubleDouble a, double b) => a + new DoubleDouble(b, 0);

    public static DoubleDouble operator *(DoubleDouble a, double b)
    {
        var p = a.Hi * b;
        var e = Math.FusedMultiplyAdd(a.Hi, b, -p);
        e += a.Lo * b;
        return Normalize(p, e);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static DoubleDouble Normalize(double hi, double lo)
    {
        var s = hi + lo;
        return new DoubleDouble(s, lo - (s - hi));
    }

    public override string ToString() => $"{Hi:R} + {Lo:R}";
}
