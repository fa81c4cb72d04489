namespace Labyrinth.Core.Errors;

/// <summary>One problem found in a document, located by a JSON pointer (RFC 6901).</summary>
public sealed record PointerProblem(string Pointer, string Message);

/// <summary>Helpers for building RFC 6901 JSON pointers.</summary>
public static class JsonPointer
{
    public static string Append(string pointer, string token)
    {
        ArgumentNullException.ThrowIfNull(pointer);
        ArgumentNullException.ThrowIfNull(token);
        return pointer + "/" + token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
    }

    public static string Append(string pointer, int index) => Append(pointer, index.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
