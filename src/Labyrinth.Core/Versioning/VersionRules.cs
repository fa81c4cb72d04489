using System.Globalization;
using System.Numerics;
using Semver;

namespace Labyrinth.Core.Versioning;

/// <summary>
/// Version comparisons by SemVer 2 precedence (build metadata ignored). Immutability — the same
/// id+version string with different bytes — is checked by the host on the package digest.
/// </summary>
public static class VersionRules
{
    /// <summary>
    /// The largest number a version part may have: 2^53−1, the largest whole number a JavaScript
    /// number (the web UI, the SDK, any JSON reader that uses doubles) holds exactly. SemVer sets
    /// no limit and the Semver package reads any size, so without this cap two readers could
    /// order the same two versions differently.
    /// </summary>
    public const long MaxNumber = 9_007_199_254_740_991;

    private const int MaxLength = 256;

    /// <summary>Parses a strict SemVer 2 version ("1.2.3", "1.2.3-beta.1+build"); null when it is not one.</summary>
    public static SemVersion? TryParse(string? text) =>
        SemVersion.TryParse(text, SemVersionStyles.Strict, out var version) ? version : null;

    /// <summary>
    /// Parses a version a person or a package supplies: strict SemVer 2 with every number
    /// (major, minor, patch, numeric pre-release identifiers) at most <see cref="MaxNumber"/>.
    /// Null with a sentence in <paramref name="problem"/> when it is not one.
    /// </summary>
    public static SemVersion? Parse(string? text, out string? problem)
    {
        problem = null;
        if (text is null || text.Length > MaxLength || !SemVersion.TryParse(text, SemVersionStyles.Strict, out var version))
        {
            problem = $"{Show(text)} is not a SemVer 2 version like \"1.2.3\" or \"1.2.3-beta.1\".";
            return null;
        }

        problem = TooLarge("major version", version.Major)
            ?? TooLarge("minor version", version.Minor)
            ?? TooLarge("patch version", version.Patch)
            ?? version.PrereleaseIdentifiers.Where(p => p.NumericValue is not null).Select(p => TooLarge("pre-release number", p.NumericValue!.Value)).FirstOrDefault(p => p is not null);
        if (problem is not null)
        {
            problem = $"{Show(text)}: {problem}";
            return null;
        }

        return version;
    }

    /// <summary>
    /// Null when <paramref name="range"/> writes no number above <see cref="MaxNumber"/>, else a
    /// sentence. Checked on the text: the parsed range's derived bounds (the "2.0.0" of "^1.2.3")
    /// are the library's, only the numbers the author wrote are the author's.
    /// </summary>
    public static string? CheckRangeNumbers(string range)
    {
        ArgumentNullException.ThrowIfNull(range);
        foreach (var token in range.Split([' ', '\t', '|'], StringSplitOptions.RemoveEmptyEntries))
        {
            var version = token.TrimStart('<', '>', '=', '~', '^', 'v', 'V');
            var plus = version.IndexOf('+', StringComparison.Ordinal);
            if (plus >= 0)
            {
                version = version[..plus];
            }

            var dash = version.IndexOf('-', StringComparison.Ordinal);
            var core = dash >= 0 ? version[..dash] : version;
            var prerelease = dash >= 0 ? version[(dash + 1)..] : "";
            foreach (var (part, what) in core.Split('.').Select((p, i) => (p, i switch { 0 => "major version", 1 => "minor version", _ => "patch version" }))
                .Concat(prerelease.Split('.').Select(p => (p, "pre-release number"))))
            {
                if (part.Length > 0 && part.All(char.IsAsciiDigit) && TooLarge(what, BigInteger.Parse(part, CultureInfo.InvariantCulture)) is { } problem)
                {
                    return $"\"{token}\": {problem}";
                }
            }
        }

        return null;
    }

    private static string? TooLarge(string what, BigInteger value) =>
        value > MaxNumber
            ? string.Create(CultureInfo.InvariantCulture, $"the {what} {value} is above {MaxNumber} (2^53−1), the largest number a version may use so that every reader (JavaScript included) compares it exactly.")
            : null;

    private static string Show(string? text) =>
        text is null ? "(none)" : "\"" + (text.Length <= 80 ? text : text[..80] + "…") + "\"";

    public static bool IsUpgrade(SemVersion candidate, SemVersion active) => SemVersion.ComparePrecedence(candidate, active) > 0;

    public static bool IsDowngrade(SemVersion candidate, SemVersion active) => SemVersion.ComparePrecedence(candidate, active) < 0;

    /// <summary>
    /// Null when <paramref name="candidate"/> may become active, else a sentence: installing a
    /// lower version than the active one is refused unless it is an explicit rollback.
    /// </summary>
    public static string? CheckActivation(string pluginId, SemVersion candidate, SemVersion? active, bool explicitRollback)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (active is null || explicitRollback || !IsDowngrade(candidate, active))
        {
            return null;
        }

        return $"{pluginId}@{candidate} is lower than the active {pluginId}@{active}; use an explicit rollback to go back.";
    }
}
