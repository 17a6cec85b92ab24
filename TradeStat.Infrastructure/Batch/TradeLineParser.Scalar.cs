using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TradeStat.Infrastructure.Batch;

// The portable path: eight digits at a time in a 64-bit word (SWAR); also the long numbers of the vector path.
internal static unsafe partial class TradeLineParser
{
    private const ulong Zeros = 0x3030303030303030UL;
    private const ulong HighBits = 0x8080808080808080UL;
    private const ulong AboveNine = 0x7676767676767676UL; // + 0x76 sets the high bit of bytes 10..0x7F

    // 0 to 7 digit values (the bytes of x from the lowest, the first non-digit at `length`) to their number.
    // The digits are shifted to the top of the word: the zeros below act as leading zeros; length 0 gives 0.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ParseShort(ulong x, int length) =>
        length <= 4
            ? ParseFour((uint)((ulong)(uint)x << (32 - 8 * length))) // two multiply steps for the usual short values
            : ParseEight(x << (64 - 8 * length));

    private readonly record struct LongNumber(ulong Value, int Length);

    // Eight digits or more: whole words, then the tail word. Length 0 (and value 0) above long.MaxValue, which no
    // field may exceed (more than 19 digits would also wrap).
    // Out of line and returned in registers (no out parameter: that would put the caller's locals in memory).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static LongNumber ParseLong(byte* p)
    {
        var x = Unsafe.ReadUnaligned<ulong>(p) ^ Zeros;
        var v = ParseEight(x);
        var digits = 8;
        while (true)
        {
            x = Unsafe.ReadUnaligned<ulong>(p + digits) ^ Zeros;
            var nonDigits = ((x + AboveNine) | x) & HighBits;
            if (nonDigits != 0)
            {
                var length = BitOperations.TrailingZeroCount(nonDigits) >> 3;
                v = v * PowerOfTen(length) + ParseShort(x, length);
                digits += length;
                return digits <= 19 && v <= long.MaxValue ? new LongNumber(v, digits) : default; // 19 digits fit in 64 bits
            }

            v = v * 100_000_000 + ParseEight(x);
            digits += 8;
        }
    }

    // Four digit values (0..9), most significant in the lowest byte, to their number.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ParseFour(uint x)
    {
        x = (x * 10 + (x >> 8)) & 0x00FF00FFu;
        return (x * 100 + (x >> 16)) & 0xFFFFu;
    }

    // Eight digit values (0..9), most significant in the lowest byte, to their number.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ParseEight(ulong x)
    {
        x = (x * 10 + (x >> 8)) & 0x00FF00FF00FF00FFUL;
        x = (x * 100 + (x >> 16)) & 0x0000FFFF0000FFFFUL;
        return (x * 10_000 + (x >> 32)) & 0xFFFFFFFFUL;
    }

    // 10^exponent for exponent 0..7 (the tail of a number after whole eight-digit words).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong PowerOfTen(int exponent) =>
        Unsafe.Add(ref MemoryMarshal.GetReference(PowersOfTen), exponent & 7);

    private static ReadOnlySpan<ulong> PowersOfTen => [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];
}
