namespace Labyrinth.Host.Features.Services;

internal sealed record SecretInjectionDto(string In, string Name, string Template);

internal sealed record ServiceDto(
    string Id,
    string DisplayName,
    string BaseUrl,
    string[] Methods,
    string[] PathPrefixes,
    SecretInjectionDto Secret,
    int TimeoutSeconds,
    long MaxRequestBytes,
    long MaxResponseBytes,
    int RatePerMinute,
    int Burst,
    bool AllowStreaming,
    bool AllowPrivateNetwork,
    bool Enabled,
    bool Configured);

/// <summary>What members see: enough to know whether a card's network capability can work.</summary>
internal sealed record MemberServiceDto(string Id, string DisplayName, bool Enabled, bool Configured);

internal sealed record SecretInjectionRequest(string? In, string? Name, string? Template);

/// <summary>Create (POST, with id) or replace (PUT, id from the route). Missing numbers take the defaults below.</summary>
internal sealed record ServiceRequest(
    string? Id,
    string? DisplayName,
    string? BaseUrl,
    string[]? Methods,
    string[]? PathPrefixes,
    SecretInjectionRequest? Secret,
    int? TimeoutSeconds,
    long? MaxRequestBytes,
    long? MaxResponseBytes,
    int? RatePerMinute,
    int? Burst,
    bool? AllowStreaming,
    bool? AllowPrivateNetwork,
    bool? Enabled);

[Audit.AuditActionCatalogue]
internal static class ServiceAuditActions
{
    public const string Create = "service.create";
    public const string Update = "service.update";
    public const string Delete = "service.delete";
}
