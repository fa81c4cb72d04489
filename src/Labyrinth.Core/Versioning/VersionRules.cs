using Semver;

namespace Labyrinth.Core.Versioning;

/// <summary>
/// Version comparisons by SemVer 2 precedence (build metadata ignored). Immutability — the same
/// id+version string with different bytes — is checked by the host on the package digest.
/// </summary>
public static class VersionRules
{
    /// <summary>Parses a strict SemVer 2 version ("1.2.3", "1.2.3-beta.1+build"); null when it is not one.</summary>
    public static SemVersion? TryParse(string? text) =>
        SemVersion.TryParse(text, SemVersionStyles.Strict, out var version) ? version : null;

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
