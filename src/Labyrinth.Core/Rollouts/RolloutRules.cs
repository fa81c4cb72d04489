using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Labyrinth.Core.Rollouts;

/// <summary>Who a staged rollout's new version goes to first: members of some groups, or a share of everyone.</summary>
/// <param name="GroupIds">The groups whose members get the new version (null for a percentage rollout).</param>
/// <param name="Percent">1–99: the share of people who get it (null for a group rollout).</param>
public sealed record RolloutAudience(IReadOnlyCollection<string>? GroupIds, int? Percent);

/// <summary>What one version did during a rollout: opens, and the three kinds of failure counted against them.</summary>
public sealed record VersionFigures(long Opens, long MountFailures, long CardErrors, long BridgeViolations)
{
    public static readonly VersionFigures Zero = new(0, 0, 0, 0);

    public double MountFailuresPerThousand => PerThousand(MountFailures);

    public double CardErrorsPerThousand => PerThousand(CardErrors);

    public double BridgeViolationsPerThousand => PerThousand(BridgeViolations);

    private double PerThousand(long count) => Opens == 0 ? 0 : Math.Round(count * 1000.0 / Opens, 1);
}

/// <summary>How strict the automatic rollback is.</summary>
/// <param name="MinOpens">The candidate's opens before it is judged (the first N opens).</param>
/// <param name="MarginPerThousand">How far (per 1,000 opens) a candidate's rate may exceed the previous version's.</param>
public sealed record RolloutHealthPolicy(int MinOpens, double MarginPerThousand)
{
    public const int DefaultMinOpens = 50;
    public const double DefaultMarginPerThousand = 20;
    public const int MaxMinOpens = 100_000;
    public const double MaxMarginPerThousand = 1000;

    public static readonly RolloutHealthPolicy Default = new(DefaultMinOpens, DefaultMarginPerThousand);
}

/// <summary>The verdict on a candidate: keep going, or roll back because of <see cref="Breaches"/>.</summary>
public sealed record RolloutVerdict(bool RollBack, IReadOnlyList<RateBreach> Breaches)
{
    public static readonly RolloutVerdict Continue = new(false, []);
}

/// <summary>One rate that went over: its name ("mountFailures", "cardErrors", "bridgeViolations"), both rates and the margin.</summary>
public sealed record RateBreach(string Rate, double CandidatePerThousand, double PreviousPerThousand, double MarginPerThousand);

/// <summary>
/// The rules of staged rollouts, free of any host: which people get the new version (a stable
/// hash of user, plugin and rollout, so the same person keeps the same version across restarts
/// and servers, and a new rollout reshuffles), whether a card follows its person's version, and
/// when the host rolls a candidate back by itself.
/// </summary>
public static class RolloutRules
{
    /// <summary>Buckets a person can fall into; a percentage covers <c>percent × 100</c> of them.</summary>
    public const int Buckets = 10_000;

    /// <summary>Null when the audience is well formed, else a sentence saying what is wrong.</summary>
    public static string? CheckAudience(IReadOnlyCollection<string>? groupIds, int? percent)
    {
        if ((groupIds is null) == (percent is null))
        {
            return "A rollout goes either to groups (groups: [id, …]) or to a percentage of people (percent: 1–99), not both or neither.";
        }

        if (percent is { } p && p is < 1 or > 99)
        {
            return "percent is the share of people who get the new version first: a whole number from 1 to 99 (use promote for everyone).";
        }

        if (groupIds is { Count: 0 })
        {
            return "A group rollout needs at least one group.";
        }

        return null;
    }

    /// <summary>Null when the thresholds are in range, else a sentence.</summary>
    public static string? CheckPolicy(int minOpens, double marginPerThousand) =>
        minOpens is < 1 or > RolloutHealthPolicy.MaxMinOpens
            ? string.Create(CultureInfo.InvariantCulture, $"minOpens is how many opens of the new version are judged: 1 to {RolloutHealthPolicy.MaxMinOpens}.")
            : !double.IsFinite(marginPerThousand) || marginPerThousand < 0 || marginPerThousand > RolloutHealthPolicy.MaxMarginPerThousand
                ? "marginPerThousand is how far the new version's failure rate may exceed the previous one's, per 1,000 opens: 0 to 1000."
                : null;

    /// <summary>The person's bucket (0 … <see cref="Buckets"/>−1) for one rollout: stable, independent across rollouts.</summary>
    public static int Bucket(Guid userId, string pluginId, string rolloutId)
    {
        ArgumentNullException.ThrowIfNull(pluginId);
        ArgumentNullException.ThrowIfNull(rolloutId);
        var text = string.Join('\n', userId.ToString("N"), pluginId, rolloutId);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return (int)(BinaryPrimitives.ReadUInt64BigEndian(hash) % Buckets);
    }

    /// <summary>True when the person gets the rollout's new version.</summary>
    public static bool InCohort(Guid userId, string pluginId, string rolloutId, RolloutAudience audience, IReadOnlySet<string> userGroups)
    {
        ArgumentNullException.ThrowIfNull(audience);
        ArgumentNullException.ThrowIfNull(userGroups);
        return audience.Percent is { } percent
            ? Bucket(userId, pluginId, rolloutId) < percent * (Buckets / 100)
            : audience.GroupIds!.Any(userGroups.Contains);
    }

    /// <summary>
    /// Judges a candidate against the version before it. Nothing is decided before the candidate
    /// has <see cref="RolloutHealthPolicy.MinOpens"/> opens; then it is rolled back when any of its
    /// rates (mount failures, card errors, bridge violations per 1,000 opens) exceeds the previous
    /// version's by more than the margin.
    /// </summary>
    public static RolloutVerdict Judge(VersionFigures candidate, VersionFigures previous, RolloutHealthPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(policy);
        if (candidate.Opens < policy.MinOpens)
        {
            return RolloutVerdict.Continue;
        }

        var breaches = new List<RateBreach>();
        void Check(string rate, double c, double p)
        {
            if (c > p + policy.MarginPerThousand)
            {
                breaches.Add(new RateBreach(rate, c, p, policy.MarginPerThousand));
            }
        }

        Check("mountFailures", candidate.MountFailuresPerThousand, previous.MountFailuresPerThousand);
        Check("cardErrors", candidate.CardErrorsPerThousand, previous.CardErrorsPerThousand);
        Check("bridgeViolations", candidate.BridgeViolationsPerThousand, previous.BridgeViolationsPerThousand);
        return breaches.Count == 0 ? RolloutVerdict.Continue : new RolloutVerdict(true, breaches);
    }

    /// <summary>
    /// True when a card pinned to <paramref name="pinned"/> runs on its person's assigned version
    /// instead: the assignment moved below it (a rollback). Going down never widens access (grants
    /// are per capability, and an upgrade already dropped what the newer version stopped asking
    /// for); going up stays the person's choice (the upgrade-with-consent flow).
    /// </summary>
    public static bool FollowsAssignment(string pinned, string assigned) =>
        !string.Equals(pinned, assigned, StringComparison.Ordinal) &&
        Versioning.VersionRules.TryParse(pinned) is { } p && Versioning.VersionRules.TryParse(assigned) is { } a &&
        Versioning.VersionRules.IsDowngrade(a, p);

    /// <summary>True when a plugin limited to <paramref name="allowedGroups"/> (null: everyone) is available to a member of <paramref name="userGroups"/>.</summary>
    public static bool IsAvailable(IReadOnlySet<string>? allowedGroups, IReadOnlySet<string> userGroups)
    {
        ArgumentNullException.ThrowIfNull(userGroups);
        return allowedGroups is null || allowedGroups.Overlaps(userGroups);
    }
}

/// <summary>Group names: what a person types in the admin area.</summary>
public static class GroupRules
{
    public const int MaxNameLength = 64;
    public const int MaxGroups = 1000;
    public const int MaxGroupsPerAvailability = 100;

    /// <summary>Null when the name is acceptable, else a sentence.</summary>
    public static string? CheckName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "A group needs a name."
        : name.Trim().Length > MaxNameLength ? $"A group name has at most {MaxNameLength} characters."
        : name.Any(char.IsControl) ? "A group name cannot contain control characters."
        : null;

    /// <summary>The form names are compared in: trimmed, case-folded.</summary>
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToUpperInvariant();
    }
}
