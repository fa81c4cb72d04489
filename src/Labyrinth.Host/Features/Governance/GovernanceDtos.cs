using System.Text.Json.Serialization;

namespace Labyrinth.Host.Features.Governance;

internal sealed record SignatureDto(
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? KeyName,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? KeyId);

internal sealed record PluginVersionDto(
    string Version,
    DateTime InstalledAt,
    long TotalBytes,
    int FileCount,
    string Digest,
    SignatureDto Signature,
    bool Killed,
    bool Active,
    string Name,
    string Description,
    IReadOnlyDictionary<string, string> Dependencies)
{
    /// <summary>Present when the package was packed past the accessibility gate (see <see cref="Plugins.AccessibilityMark"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Plugins.AccessibilityMark? Accessibility { get; init; }
}

internal sealed record PluginAdminDto(string Id, string ActiveVersion, bool Enabled, bool Killed, bool UnsignedAllowed, PluginVersionDto[] Versions, string[] Dependents);

internal sealed record InstalledRefDto(string Id, string Version);

internal sealed record InstallResultDto(PluginAdminDto Plugin, InstalledRefDto Installed);

internal sealed record DisableRequest(bool? Cascade);

internal sealed record KillRequest(string? Version, string? Reason);

internal sealed record UnkillRequest(string? Version);

internal sealed record ActivateRequest(string? Version, bool? Rollback);

internal sealed record TrustedKeyDto(string KeyId, string Name, string PublicKey, DateTime AddedAt);

internal sealed record AddTrustRequest(string? Name, string? PublicKey);

internal sealed record PolicyDto(string Mode, string[] UnsignedAllowlist)
{
    /// <summary>Whether <c>labyrinth plugin dev</c> may install development versions here, and why.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DevInstallsDto? DevInstalls { get; init; }
}

internal sealed record PolicyRequest(string[]? UnsignedAllowlist);

/// <summary>A failed build from <c>labyrinth plugin dev</c>, shown on the plugin's open cards.</summary>
internal sealed record DevBuildFailedRequest(string? Message)
{
    public const int MaxMessageChars = 8192;
}
