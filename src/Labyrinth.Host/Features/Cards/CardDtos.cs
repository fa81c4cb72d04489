namespace Labyrinth.Host.Features.Cards;

/// <summary>Capability name prefixes (the manifest validator owns the full pattern).</summary>
internal static class CardCapabilities
{
    public const string NetworkPrefix = "network:";
    public const string FileRegistryPrefix = "fileRegistry:";
    public const string CrossCardPubSub = "crossCard:pubsub";

    public static string FileRegistry(string assetType) => FileRegistryPrefix + assetType;
}

/// <summary>The audit actions of the Card Security Contract (docs/api.md).</summary>
[Audit.AuditActionCatalogue]
internal static class CardAuditActions
{
    public const string Grant = "card.grant";
    public const string Revoke = "card.revoke";
    public const string Upgrade = "card.upgrade";
    public const string RevokeAll = "card.revoke_all";
    public const string Violation = "card.violation";
    public const string Suspended = "card.suspended";
    public const string AssetGrant = "asset.grant";
    public const string AssetRevoke = "asset.revoke";
    public const string AssetUpload = "asset.upload";
    public const string AssetDelete = "asset.delete";
    public const string SelectionShared = "card.selection_shared";
    public const string SelectionRevoked = "card.selection_revoked";
}

internal sealed record CapabilityDto(string Capability, bool Granted, DateTime? GrantedAt, string? Handle);

internal sealed record AssetGrantDto(Guid GrantId, Guid AssetId, string Name, string Type, string MediaType, long Bytes, DateTime GrantedAt, string PreviewUrl);

internal sealed record NetworkServiceStatusDto(string ServiceId, string DisplayName, bool Granted, bool Configured, bool Enabled, string? Handle, string UsesSecret);

internal sealed record NetworkLogDto(DateTime At, string ServiceId, string Method, string Path, int Status, long RequestBytes, long ResponseBytes, double Ms, string? Error);

internal sealed record CardNetworkDto(NetworkServiceStatusDto[] Services, NetworkLogDto[] Recent);

internal sealed record CardPermissionsDto(
    Guid BoardId,
    string WindowId,
    string PluginId,
    string Version,
    string TypeID,
    string CardName,
    CapabilityDto[] Capabilities,
    string[] WantsMore,
    AssetGrantDto[] Assets,
    CardNetworkDto Network,
    CardUpgradeDto? Upgrade = null,
    SharedSelectionDto? Selection = null);

/// <summary>The plugin's active version is newer than the card's; <c>WantsMore</c> is what it requests that the card's version does not.</summary>
internal sealed record CardUpgradeDto(string Version, string[] WantsMore);

internal sealed record UpgradeRequest(string? Version, bool? Allow);

internal sealed record GrantRequest(string? Capability);

internal sealed record SnapshotRequest(string? MediaType, string? Data);

internal sealed record ViolationReport(string? Reason, long? Count, bool? Suspended, string? Detail);
