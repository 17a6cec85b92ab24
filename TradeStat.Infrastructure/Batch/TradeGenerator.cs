using System.Runtime.CompilerServices;

namespace TradeStat.Infrastructure.Batch;

/// <summary>
/// Writes realistic, reproducible trade lines fast (one pass, no allocation per line): timestamps from 09:30
/// rising by random gaps towards 16:00 (never decreasing, equal ones included), symbols drawn with a chosen
/// popularity (<see cref="SymbolDistribution"/>; by default skewed), each symbol's price a random walk, quantities mostly 1..100 with occasional blocks of 100×.
/// </summary>
public sealed partial class TradeGenerator
{
    public const int MaxSymbols = 62 * 62 * 62;
    private const long Open = 34_200_000_000;   // 09:30 in microseconds
    private const long Close = 57_600_000_000;  // 16:00
    private const long LastMicrosecond = 86_399_999_999;
    private const int FractionBits = 24;
    private const int BufferSize = 1 << 20;

    private static ReadOnlySpan<byte> Lower => "abcdefghijklmnopqrstuvwxyz"u8;
    private static ReadOnlySpan<byte> Alphanumeric => "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8;

    private readonly long _rows;
    private readonly int _symbols;
    private readonly SymbolDistribution _distribution;
    private ulong _state;

    public TradeGenerator(long rows, int symbols, ulong seed)
        : this(rows, symbols, seed, SymbolDistribution.Sqrt)
    {
    }

    public TradeGenerator(long rows, int symbols, ulong seed, SymbolDistribution distribution)
    {
        if (!Enum.IsDefined(distribution))
        {
            throw new ArgumentOutOfRangeException(nameof(distribution), distribution, "unknown symbol distribution");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(symbols, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(symbols, MaxSymbols);
        _rows = rows;
        _symbols = symbols;
        _distribution = distribution;
        _state = seed * 0x9E3779B97F4A7C15UL + 0x632BE59BD9B4E019UL;
    }

    public void WriteTo(Stream output)
    {
        var names = SymbolNames();
        var picker = new SymbolPicker(_distribution, _symbols);
        var prices = new long[_symbols];
        for (var i = 0; i < prices.Length; i++)
        {
            prices[i] = 10 + (long)(Next() % 5_000);
        }

        // Mean gap = trading day / rows, in fixed point so that any row count spreads over the day.
        var meanGap = (ulong)((double)(Close - Open) / Math.Max(_rows, 1) * (1UL << FractionBits));
        var gapRange = 2 * meanGap + 1;
        var time = 0UL;
        // Lines are formatted into one buffer while a writer thread writes the previous one: generation never waits
        // for the pipe (or the disk) to take a write.
        using var writer = new BufferWriter(output, BufferSize + 256);
        var buffer = writer.Take();
        var at = 0;
        for (var row = 0L; row < _rows; row++)
        {
            var r = Next();
            var s = Next();
            time += Math.BigMul(r, gapRange, out _);
            var timestamp = Math.Min(Open + (long)(time >> FractionBits), LastMicrosecond);

            var symbol = picker.Pick(s);
            var price = prices[symbol] + (long)(s % 5) - 2;
            prices[symbol] = price = Math.Max(price, 1);
            var quantity = 1 + (long)((s >> 8) % 100);
            if ((s >> 40) % 50 == 0)
            {
                quantity *= 100;
            }

            unsafe
            {
                fixed (byte* start = buffer)
                fixed (byte* name = names)
                {
                    var line = start + at;
                    line += WriteNumber(line, timestamp);
                    line[0] = (byte)',';
                    line[1] = name[3 * symbol];
                    line[2] = name[3 * symbol + 1];
                    line[3] = name[3 * symbol + 2];
                    line[4] = (byte)',';
                    line += 5;
                    line += WriteNumber(line, quantity);
                    *line++ = (byte)',';
                    line += WriteNumber(line, price);
                    *line++ = (byte)'\n';
                    at = (int)(line - start);
                }
            }

            if (at >= BufferSize)
            {
                buffer = writer.Hand(buffer, at);
                at = 0;
            }
        }

        writer.Hand(buffer, at);
        writer.Complete();
    }

    private byte[] SymbolNames()
    {
        var alphabet = _symbols <= 26 * 26 * 26 ? Lower : Alphanumeric;
        var radix = alphabet.Length;
        var all = new int[radix * radix * radix];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = i;
        }

        var names = new byte[3 * _symbols];
        for (var i = 0; i < _symbols; i++)
        {
            var j = i + (int)(Next() % (ulong)(all.Length - i)); // partial Fisher–Yates: distinct names
            (all[i], all[j]) = (all[j], all[i]);
            var code = all[i];
            names[3 * i] = alphabet[code / (radix * radix)];
            names[3 * i + 1] = alphabet[code / radix % radix];
            names[3 * i + 2] = alphabet[code % radix];
        }

        return names;
    }

    // xorshift64*: fast, and good enough for test data.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Next()
    {
        var x = _state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        _state = x;
        return x * 0x2545F4914F6CDD1DUL;
    }

    // Two digits at a time from a 200-byte table, right to left; the length from a comparison ladder.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe int WriteNumber(byte* destination, long value)
    {
        var v = (ulong)value;
        var digits = CountDigits(v);
        var at = destination + digits;
        fixed (byte* pairs = Pairs)
        {
            while (v >= 100)
            {
                var pair = (int)(v % 100) * 2;
                v /= 100;
                at -= 2;
                at[0] = pairs[pair];
                at[1] = pairs[pair + 1];
            }

            if (v >= 10)
            {
                at -= 2;
                at[0] = pairs[(int)v * 2];
                at[1] = pairs[(int)v * 2 + 1];
            }
            else
            {
                at[-1] = (byte)('0' + v);
            }
        }

        return digits;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CountDigits(ulong v)
    {
        var digits = 1;
        while (v >= 10_000)
        {
            v /= 10_000;
            digits += 4;
        }

        return digits + (v >= 10 ? 1 : 0) + (v >= 100 ? 1 : 0) + (v >= 1_000 ? 1 : 0);
    }

    private static ReadOnlySpan<byte> Pairs =>
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"u8;
}
