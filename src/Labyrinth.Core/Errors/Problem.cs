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

/// <summary>Helpers for lists of <see cref="PointerProblem"/>.</summary>
public static class PointerProblems
{
    /// <summary>
    /// The first <paramref name="max"/> problems and, when there were more, one closing line that
    /// counts the rest: a document with thousands of mistakes is refused in a page, not a copy of itself.
    /// </summary>
    public static List<PointerProblem> Capped(List<PointerProblem> problems, int max)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (problems.Count <= max)
        {
            return problems;
        }

        var more = problems.Count - max;
        problems.RemoveRange(max, more);
        problems.Add(new("", string.Create(System.Globalization.CultureInfo.InvariantCulture, $"…and {more} more problems.")));
        return problems;
    }
}
