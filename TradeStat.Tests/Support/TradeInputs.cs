using System.Globalization;
using System.Text;

namespace TradeStat.Tests.Support;

/// <summary>Random trade inputs of several shapes, for comparisons with <see cref="NaiveTrades"/>.</summary>
public static class TradeInputs
{
    public const string Sample = """
        52924702,aaa,13,1136
        52924702,aac,20,477
        52925641,aab,31,907
        52927350,aab,29,724
        52927783,aac,21,638
        52930489,aaa,18,1222
        52931654,aaa,9,1077
        52933453,aab,9,756

        """;

    public const string SampleOutput = """
        aaa,5787,40,1161,1222
        aab,6103,69,810,907
        aac,3081,41,559,638

        """;

    /// <summary>
    /// Valid lines: <paramref name="symbols"/> symbols (3-byte ones and, when <paramref name="generalSymbols"/>,
    /// other lengths and non-ASCII bytes), equal timestamps, single-trade symbols and, when <paramref name="huge"/>,
    /// quantities and prices near long.MaxValue; <paramref name="names"/>, when given, are the symbols instead, and
    /// <paramref name="uniform"/> draws every symbol alike (else a few carry most lines); <paramref name="phased"/> draws
    /// each line's symbol from the symbols' first (line + 1) / lines only, so that they are met in phases, the last
    /// ones near the end.
    /// </summary>
    public static string Random(int seed, int lines, int symbols, bool huge = false, bool generalSymbols = false,
        string[]? names = null, bool uniform = false, bool phased = false)
    {
        var random = new Random(seed);
        if (names is not null)
        {
            symbols = names.Length;
        }
        else
        {
            names = new string[symbols];
            for (var i = 0; i < symbols; i++)
            {
                names[i] = generalSymbols && i % 3 == 1 ? GeneralName(random, i) : $"{(char)('a' + i / 676 % 26)}{(char)('a' + i / 26 % 26)}{(char)('a' + i % 26)}";
            }
        }

        var text = new StringBuilder();
        long time = random.Next(0, 1000);
        for (var i = 0; i < lines; i++)
        {
            time += random.Next(4) == 0 ? 0 : random.Next(1, 5000);
            // The last symbol trades once (single-trade case); the rest are skewed.
            var drawn = phased ? Math.Max(1, (int)((long)symbols * (i + 1) / lines)) : symbols;
            var symbol = i == lines / 2 ? names[^1]
                : uniform ? names[random.Next(drawn)]
                : names[(int)(Math.Pow(random.NextDouble(), 2) * Math.Max(1, drawn - 1))];
            var quantity = huge && random.Next(3) == 0 ? long.MaxValue - random.Next(1000) : random.Next(1, 10_000);
            var price = huge && random.Next(3) == 0 ? long.MaxValue - random.Next(1000) : random.Next(1, 100_000);
            text.Append(CultureInfo.InvariantCulture, $"{time},{symbol},{quantity},{price}\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// <paramref name="count"/> distinct three-byte symbols (up to 512) whose letter keys collide: each byte one of
    /// 'a', 'A', 'b', 'B', '@', '`', '1', ' ' ('a' and 'A' share a key, as do 'b' and 'B', '@' and '`'; '1' and ' '
    /// make no letter symbol), in random order.
    /// </summary>
    public static string[] CollidingSymbols(int seed, int count)
    {
        const string bytes = "aAbB@`1 ";
        var all = new string[bytes.Length * bytes.Length * bytes.Length];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = new string([bytes[i % 8], bytes[i / 8 % 8], bytes[i / 64]]);
        }

        new Random(seed).Shuffle(all);
        return all[..Math.Min(count, all.Length)];
    }

    private static string GeneralName(Random random, int i) =>
        (i % 4) switch
        {
            0 => "X",
            1 => $"LONG{i}SYMBOL",
            2 => "ab c", // a space: valid, not on the direct path
            _ => $"s{i}\u00e9", // a non-ASCII character: two UTF-8 bytes
        } + random.Next(2).ToString(CultureInfo.InvariantCulture);
}
