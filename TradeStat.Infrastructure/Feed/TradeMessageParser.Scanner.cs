using TradeStat.Domain.Feed;

namespace TradeStat.Infrastructure.Feed;

// The fast path: a strict single-pass scanner for the combined-stream shape Binance sends.
internal static partial class TradeMessageParser
{
    /// <summary>
    /// Strict scanner for <c>{"stream":"…","data":{…}}</c> whose data members are ASCII strings without escapes, numbers,
    /// true, false or null. Returns false (caller falls back) on anything else; never accepts invalid JSON.
    /// </summary>
    internal static bool TryParseFast(ReadOnlySpan<byte> f, Span<byte> symbol, out TradeFields trade, out FrameKind kind)
    {
        trade = default;
        kind = default;
        var i = 0;
        if (!Expect(f, ref i, (byte)'{') || !Key(f, ref i, out var name) || !name.SequenceEqual("stream"u8)
            || !String(f, ref i, out _) || !Expect(f, ref i, (byte)',')
            || !Key(f, ref i, out name) || !name.SequenceEqual("data"u8) || !Expect(f, ref i, (byte)'{'))
        {
            return false;
        }

        var state = new EventState();
        SkipWhitespace(f, ref i);
        if (i < f.Length && f[i] == '}')
        {
            i++;
        }
        else
        {
            while (true)
            {
                if (!Key(f, ref i, out name) || i >= f.Length)
                {
                    return false;
                }

                var c = f[i];
                if (c == '"')
                {
                    if (!String(f, ref i, out var value))
                    {
                        return false;
                    }

                    if (name.Length == 1)
                    {
                        switch (name[0])
                        {
                            case (byte)'e':
                                state.Event = value.SequenceEqual("trade"u8) ? EventType.Trade
                                    : value.SequenceEqual("serverShutdown"u8) ? EventType.ServerShutdown
                                    : EventType.Other;
                                break;
                            case (byte)'s':
                                if (value.Length is > 0 and <= MaxSymbolBytes && value.Length <= symbol.Length)
                                {
                                    value.CopyTo(symbol);
                                    trade.SymbolLength = value.Length;
                                    state.HasSymbol = true;
                                }

                                break;
                            case (byte)'p':
                                trade.PriceError = ScaledPrice.TryParse(value, out trade.Price);
                                state.HasPrice = true;
                                break;
                        }
                    }
                }
                else if (c == '-' || (uint)(c - '0') <= 9)
                {
                    if (!Number(f, ref i, out var number, out var integer))
                    {
                        return false;
                    }

                    if (name.Length == 1 && name[0] == 't')
                    {
                        state.HasId = integer && TryParseId(number, out trade.TradeId);
                    }
                    else if (name.Length == 1 && name[0] == 'T' && integer && TryParseId(number, out var time))
                    {
                        // The trade time only guides the back-fill to where a gap starts; an unreadable one is 0 (unknown).
                        trade.TradeTime = time;
                    }
                }
                else if (!Literal(f, ref i))
                {
                    return false;
                }

                SkipWhitespace(f, ref i);
                if (i >= f.Length)
                {
                    return false;
                }

                if (f[i] == ',')
                {
                    i++;
                    continue;
                }

                if (f[i] != '}')
                {
                    return false;
                }

                i++;
                break;
            }
        }

        if (!Expect(f, ref i, (byte)'}'))
        {
            return false;
        }

        SkipWhitespace(f, ref i);
        if (i != f.Length)
        {
            return false;
        }

        kind = Classify(state, trade, isResponse: false);
        return true;
    }

    private static void SkipWhitespace(ReadOnlySpan<byte> f, ref int i)
    {
        while (i < f.Length && f[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            i++;
        }
    }

    private static bool Expect(ReadOnlySpan<byte> f, ref int i, byte c)
    {
        SkipWhitespace(f, ref i);
        if (i >= f.Length || f[i] != c)
        {
            return false;
        }

        i++;
        return true;
    }

    // "name" then ':' (whitespace allowed around both); leaves i at the value.
    private static bool Key(ReadOnlySpan<byte> f, ref int i, out ReadOnlySpan<byte> name)
    {
        SkipWhitespace(f, ref i);
        name = default;
        if (!String(f, ref i, out name) || !Expect(f, ref i, (byte)':'))
        {
            return false;
        }

        SkipWhitespace(f, ref i);
        return true;
    }

    // A string of printable ASCII without escapes (anything else: let the reader decide).
    private static bool String(ReadOnlySpan<byte> f, ref int i, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (i >= f.Length || f[i] != '"')
        {
            return false;
        }

        // One scalar pass: Binance's strings are short (1–20 bytes), where vectorised searches cost more than they save.
        var start = i + 1;
        var j = start;
        while (true)
        {
            if (j >= f.Length)
            {
                return false;
            }

            var b = f[j];
            if (b == '"')
            {
                break;
            }

            if ((uint)(b - 0x20) > 0x7E - 0x20 || b == '\\')
            {
                return false;
            }

            j++;
        }

        value = f[start..j];
        i = j + 1;
        return true;
    }

    // JSON number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
    private static bool Number(ReadOnlySpan<byte> f, ref int i, out ReadOnlySpan<byte> number, out bool integer)
    {
        var start = i;
        number = default;
        integer = true;
        if (i < f.Length && f[i] == '-')
        {
            i++;
        }

        if (i >= f.Length || (uint)(f[i] - '0') > 9)
        {
            return false;
        }

        if (f[i] == '0')
        {
            i++;
        }
        else
        {
            while (i < f.Length && (uint)(f[i] - '0') <= 9)
            {
                i++;
            }
        }

        if (i < f.Length && f[i] == '.')
        {
            integer = false;
            i++;
            if (!Digits(f, ref i))
            {
                return false;
            }
        }

        if (i < f.Length && (f[i] == 'e' || f[i] == 'E'))
        {
            integer = false;
            i++;
            if (i < f.Length && (f[i] == '+' || f[i] == '-'))
            {
                i++;
            }

            if (!Digits(f, ref i))
            {
                return false;
            }
        }

        number = f[start..i];
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> f, ref int i)
    {
        var start = i;
        while (i < f.Length && (uint)(f[i] - '0') <= 9)
        {
            i++;
        }

        return i > start;
    }

    private static bool Literal(ReadOnlySpan<byte> f, ref int i)
    {
        var rest = f[i..];
        var length = rest.StartsWith("true"u8) || rest.StartsWith("null"u8) ? 4 : rest.StartsWith("false"u8) ? 5 : 0;
        i += length;
        return length > 0;
    }

    // A non-negative integer that fits in a long (as Utf8JsonReader.TryGetInt64 would accept, then ≥ 0).
    private static bool TryParseId(ReadOnlySpan<byte> digits, out long id)
    {
        id = 0;
        if (digits.IsEmpty || digits[0] == '-')
        {
            // "-0" is 0 for TryGetInt64; any other negative id is refused either way.
            return digits.SequenceEqual("-0"u8);
        }

        ulong value = 0;
        foreach (var c in digits)
        {
            var d = (uint)(c - '0');
            if (value > ((ulong)long.MaxValue - d) / 10)
            {
                return false;
            }

            value = (value * 10) + d;
        }

        id = (long)value;
        return true;
    }
}
