using System.Text;
using System.Text.Json;

namespace TradeStat.Tests.Support;

/// <summary>The members of a flat JSON object as the text the service wrote (numbers unparsed, strings unescaped).</summary>
public static class RawJson
{
    public static IReadOnlyDictionary<string, string> Members(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        string? name = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    name = reader.GetString();
                    break;
                case JsonTokenType.String when name is not null:
                    members[name] = reader.GetString()!;
                    break;
                case JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null when name is not null:
                    members[name] = Encoding.UTF8.GetString(reader.ValueSpan);
                    break;
            }
        }

        return members;
    }
}
