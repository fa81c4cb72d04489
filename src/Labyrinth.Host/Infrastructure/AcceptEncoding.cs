using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace Labyrinth.Host.Infrastructure;

/// <summary>
/// Reads <c>Accept-Encoding</c> in place. Plugin files are the host's most requested path, and the
/// typed header parser allocated a list of header values on every request to answer one question.
/// </summary>
internal static class AcceptEncoding
{
    /// <summary>True when <paramref name="coding"/> is listed (case-insensitively) with a quality above zero or none.</summary>
    public static bool Accepts(StringValues header, string coding)
    {
        ArgumentNullException.ThrowIfNull(coding);
        foreach (var value in header)
        {
            if (value is not null && Accepts(value.AsSpan(), coding))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Accepts(ReadOnlySpan<char> value, string coding)
    {
        while (!value.IsEmpty)
        {
            var comma = value.IndexOf(',');
            var item = comma < 0 ? value : value[..comma];
            value = comma < 0 ? default : value[(comma + 1)..];
            var semi = item.IndexOf(';');
            var name = (semi < 0 ? item : item[..semi]).Trim();
            if (name.Equals(coding, StringComparison.OrdinalIgnoreCase) && (semi < 0 || QualityAboveZero(item[(semi + 1)..])))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The <c>q</c> parameter is above zero (absent = 1); a malformed one does not accept.</summary>
    private static bool QualityAboveZero(ReadOnlySpan<char> parameters)
    {
        while (!parameters.IsEmpty)
        {
            var semi = parameters.IndexOf(';');
            var p = (semi < 0 ? parameters : parameters[..semi]).Trim();
            parameters = semi < 0 ? default : parameters[(semi + 1)..];
            if (p.Length >= 2 && (p[0] is 'q' or 'Q') && p[1] == '=')
            {
                return double.TryParse(p[2..], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var q) && q > 0 && q <= 1;
            }
        }

        return true;
    }
}
