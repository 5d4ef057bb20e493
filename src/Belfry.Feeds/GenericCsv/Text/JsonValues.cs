using System.Text.Json;

namespace Belfry.Feeds.Text;

/// <summary>Reading loosely typed feed JSON: a value may come as a string or as a number.</summary>
internal static class JsonValues
{
    public static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = FeedLimits.MaxJsonDepth,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
    };

    /// <summary>Text of a string, number or boolean property; null when missing, null or empty.</summary>
    public static string? Scalar(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) ? Scalar(v) : null;

    public static string? Scalar(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString() is { Length: > 0 } s ? s : null,
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    /// <summary>Parses one record; false with a reason when it is not a JSON object.</summary>
    public static bool TryParseObject(string text, out JsonDocument? document, out string? error)
    {
        document = null;
        error = null;
        try
        {
            document = JsonDocument.Parse(text, DocumentOptions);
        }
        catch (JsonException ex)
        {
            error = "invalid JSON: " + FirstLine(ex.Message);
            return false;
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            error = $"expected a JSON object, found {document.RootElement.ValueKind}";
            document.Dispose();
            document = null;
            return false;
        }
        return true;
    }

    static string FirstLine(string s)
    {
        var nl = s.IndexOf('\n', StringComparison.Ordinal);
        return nl < 0 ? s : s[..nl].TrimEnd('\r');
    }
}
