using System.Text.Json.Serialization;

namespace Labyrinth.Host.Features.Rollouts;

/// <summary>The audit action names of groups, availability and rollouts (docs/api.md).</summary>
[Audit.AuditActionCatalogue]
internal static class RolloutAuditActions
{
    public const string GroupCreate = "group.create";
    public const string GroupDelete = "group.delete";
    public const string GroupMemberAdd = "group.member_add";
    public const string GroupMemberRemove = "group.member_remove";
    public const string Availability = "plugin.availability";
    public const string RolloutStart = "plugin.rollout_start";
    public const string RolloutPromote = "plugin.rollout_promote";
    public const string RolloutRollback = "plugin.rollout_rollback";
    public const string RolloutAutoRollback = "plugin.rollout_auto_rollback";
}

/// <param name="Groups">Group ids the plugin is limited to; null: everyone.</param>
internal sealed record AvailabilityRequest(Guid[]? Groups);

internal sealed record AvailabilityGroupDto(Guid Id, string Name);

/// <param name="Groups">Null: available to everyone.</param>
internal sealed record AvailabilityDto(string PluginId, AvailabilityGroupDto[]? Groups);

/// <summary>Starts a staged rollout of an installed version newer than the active one.</summary>
internal sealed record StartRolloutRequest(string? Version, Guid[]? Groups, int? Percent, int? MinOpens, double? MarginPerThousand);

/// <summary>One version's side of a rollout: its figures and rates per 1,000 opens, and who is on it.</summary>
internal sealed record RolloutSideDto(
    string Version,
    long Opens,
    long MountFailures,
    long CardErrors,
    long BridgeViolations,
    double MountFailuresPerThousand,
    double CardErrorsPerThousand,
    double BridgeViolationsPerThousand,
    int People,
    string[] PeopleNames);

internal sealed record RateBreachDto(string Rate, double CandidatePerThousand, double PreviousPerThousand, double MarginPerThousand);

/// <summary>Why the host rolled the candidate back, with the figures it judged.</summary>
internal sealed record AutoRollbackDto(DateTime At, RateBreachDto[] Breaches);

internal sealed record RolloutDto(
    Guid Id,
    string PluginId,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Percent,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] AvailabilityGroupDto[]? Groups,
    int MinOpens,
    double MarginPerThousand,
    RolloutSideDto Previous,
    RolloutSideDto Candidate,
    string StartedBy,
    DateTime StartedAt,
    string? EndedBy,
    DateTime? EndedAt,
    AutoRollbackDto? AutoRollback);

/// <summary>The plugin's rollout page: its availability, the current rollout (if any) and the latest finished one.</summary>
internal sealed record PluginRolloutDto(string PluginId, string ActiveVersion, AvailabilityDto Availability, RolloutDto? Current, RolloutDto? Last);

/// <summary>A card's mount or runtime error after it loaded (the card-load report covers mounting).</summary>
internal sealed record CardErrorReport(string? PluginId, string? Version, string? TypeID);
