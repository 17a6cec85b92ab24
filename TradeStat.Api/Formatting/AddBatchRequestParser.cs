using System.Buffers;
using System.Text.Json;
using TradeStat.Api.Requests;
using TradeStat.Domain.Series;

namespace TradeStat.Api.Formatting;

/// <summary>
/// Reads an <c>add_batch</c> body straight into a pooled buffer: one pass, no per-value allocation,
/// O(body length). The usual shape goes through <see cref="AddBatchFastPath"/> (hand-written scanner and
/// <see cref="JsonNumber"/>); anything else through <see cref="Utf8JsonReader"/>, which also words the errors:
/// syntax and type errors come back as a message naming the offending member; rule checks (counts, symbol
/// format) are left to the validator.
/// </summary>
public static class AddBatchRequestParser
{
    /// <summary>Longer symbol texts are not decoded: the validator refuses them anyway (both parsing paths use it).</summary>
    internal const int MaxSymbolBytes = 6 * SeriesLimits.MaxSymbolLength;

    /// <summary>Nesting allowed by default: a valid body needs 2 (the object and its array); deeper is a 400.</summary>
    public const int DefaultMaxDepth = 16;

    private static readonly JsonReaderOptions ReaderOptions = Options(DefaultMaxDepth);

    /// <summary>Parses a complete body.</summary>
    /// <param name="body">The whole request body.</param>
    /// <param name="request">The request, owning a pooled buffer, when the body is well-formed.</param>
    /// <param name="error">What is wrong, when it is not; never contains .NET type names.</param>
    public static bool TryParse(ReadOnlySequence<byte> body, out AddBatchRequest? request, out ParseError error) =>
        TryParse(body, allowFastPath: true, out request, out error);

    /// <summary>As <see cref="TryParse(ReadOnlySequence{byte}, out AddBatchRequest?, out ParseError)"/>, refusing nesting deeper than <paramref name="maxDepth"/>.</summary>
    public static bool TryParse(ReadOnlySequence<byte> body, int maxDepth, out AddBatchRequest? request, out ParseError error) =>
        TryParse(body, allowFastPath: true, out request, out error, maxDepth == DefaultMaxDepth ? ReaderOptions : Options(maxDepth));

    private static JsonReaderOptions Options(int maxDepth) => new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = maxDepth,
    };

    /// <summary>As <see cref="TryParse(ReadOnlySequence{byte}, out AddBatchRequest?, out ParseError)"/>; tests compare both paths.</summary>
    internal static bool TryParse(ReadOnlySequence<byte> body, bool allowFastPath, out AddBatchRequest? request, out ParseError error) =>
        TryParse(body, allowFastPath, out request, out error, ReaderOptions);

    private static bool TryParse(ReadOnlySequence<byte> body, bool allowFastPath, out AddBatchRequest? request, out ParseError error, JsonReaderOptions readerOptions)
    {
        body = SkipBom(body);
        if (IsBlank(body))
        {
            request = null;
            error = new ParseError("$", "The body is empty; expected a JSON object with \"symbol\" and \"values\".");
            return false;
        }

        double[]? buffer = RequestBuffers.Values.Rent(SeriesLimits.MaxBatchSize);
        var reader = default(Utf8JsonReader); // out here: where a JSON error stops it tells a too-deep body apart
        try
        {
            // The common shape in one pass; anything unusual (or wrong) goes to the general reader below.
            if (allowFastPath
                && body.IsSingleSegment
                && AddBatchFastPath.TryParse(body.FirstSpan, buffer, out var fastSymbol, out var fastHasValues, out var fastCount))
            {
                request = AddBatchRequest.Create(fastSymbol, fastHasValues, fastCount, buffer);
                buffer = null; // owned by the request now
                error = default;
                return true;
            }

            reader = new Utf8JsonReader(body, isFinalBlock: true, new JsonReaderState(readerOptions));
            if (TryParseObject(ref reader, ref buffer, out request, out error))
            {
                buffer = null; // owned by the request now
                return true;
            }

            return false;
        }
        catch (JsonException ex)
        {
            request = null;
            error = new ParseError("$", OpensTooDeep(body, reader, readerOptions.MaxDepth)
                ? $"The body nests arrays or objects deeper than {readerOptions.MaxDepth} levels (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}); the limit is TradeStat:MaxJsonDepth."
                : $"The body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).");
            return false;
        }
        finally
        {
            if (buffer is not null)
            {
                RequestBuffers.Values.Return(buffer);
            }
        }
    }

    // Whether the reader stopped at the maximum depth in front of one more '[' or '{': valid JSON, only too deep.
    private static bool OpensTooDeep(ReadOnlySequence<byte> body, in Utf8JsonReader reader, int maxDepth)
    {
        if (reader.CurrentDepth < maxDepth - 1)
        {
            return false;
        }

        var rest = new SequenceReader<byte>(body.Slice(reader.BytesConsumed));
        while (rest.TryRead(out var next))
        {
            if (next is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)',' or (byte)':'))
            {
                return next is (byte)'[' or (byte)'{';
            }
        }

        return false;
    }

    private static bool TryParseObject(ref Utf8JsonReader reader, ref double[]? buffer, out AddBatchRequest? request, out ParseError error)
    {
        request = null;
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = new ParseError("$", "The body must be a JSON object with \"symbol\" and \"values\".");
            return false;
        }

        string? symbol = null;
        var hasSymbol = false;
        var hasValues = false;
        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("symbol"u8))
            {
                if (hasSymbol)
                {
                    error = new ParseError("symbol", "\"symbol\" appears more than once.");
                    return false;
                }

                hasSymbol = true;
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    error = new ParseError("symbol", "\"symbol\" must be a string.");
                    return false;
                }

                // Anything much longer than the limit is refused by the validator anyway; don't decode megabytes.
                var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
                if (length > MaxSymbolBytes)
                {
                    symbol = new string('?', SeriesLimits.MaxSymbolLength + 1);
                }
                else if (!TryGetString(ref reader, out symbol))
                {
                    error = new ParseError("symbol", "\"symbol\" is not valid UTF-8 text.");
                    return false;
                }
            }
            else if (reader.ValueTextEquals("values"u8))
            {
                if (hasValues)
                {
                    error = new ParseError("values", "\"values\" appears more than once.");
                    return false;
                }

                hasValues = true;
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    error = new ParseError("values", "\"values\" must be an array of numbers.");
                    return false;
                }

                if (!TryReadValues(ref reader, buffer!, out count, out error))
                {
                    return false;
                }
            }
            else
            {
                // Unknown members are ignored, whatever they hold.
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            error = new ParseError("$", "The body is not valid JSON.");
            return false;
        }

        // Anything but whitespace after the object makes Read() throw a JsonException.
        reader.Read();
        request = AddBatchRequest.Create(symbol, hasValues, count, buffer);
        error = default;
        return true;
    }

    private static bool TryReadValues(ref Utf8JsonReader reader, double[] buffer, out int count, out ParseError error)
    {
        count = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.EndArray:
                    error = default;
                    return true;
                case JsonTokenType.Number:
                    if (!reader.TryGetDouble(out var value) || !double.IsFinite(value))
                    {
                        error = new ParseError($"values[{count}]", $"values[{count}] is outside the range of a double.");
                        return false;
                    }

                    // Keep counting past the limit so the validator can say how many were sent.
                    if (count < SeriesLimits.MaxBatchSize)
                    {
                        buffer[count] = value;
                    }

                    count++;
                    break;
                default:
                    error = new ParseError($"values[{count}]", $"values[{count}] must be a number, not {Describe(reader.TokenType)}.");
                    return false;
            }
        }

        error = new ParseError("values", "\"values\" is not a closed array.");
        return false;
    }

    private static bool TryGetString(ref Utf8JsonReader reader, out string? value)
    {
        try
        {
            value = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            // Invalid UTF-8 or a lone surrogate escape (\uD800) in the string.
            value = null;
            return false;
        }
    }

    /// <summary>The body without a leading UTF-8 byte-order mark, which JSON parsers may ignore (RFC 8259 §8.1).</summary>
    private static ReadOnlySequence<byte> SkipBom(ReadOnlySequence<byte> body)
    {
        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        if (body.Length < 3)
        {
            return body;
        }

        Span<byte> start = stackalloc byte[3];
        body.Slice(0, 3).CopyTo(start);
        return start.SequenceEqual(bom) ? body.Slice(3) : body;
    }

    private static bool IsBlank(ReadOnlySequence<byte> body)
    {
        foreach (var segment in body)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Null => "null",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        _ => "this token",
    };
}
