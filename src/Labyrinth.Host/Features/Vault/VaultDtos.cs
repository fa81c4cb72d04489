namespace Labyrinth.Host.Features.Vault;

/// <summary>What a list shows about a secret: never the value, only its last characters.</summary>
internal sealed record SecretDto(
    Guid Id,
    string Name,
    string ServiceId,
    string Scope,
    string? Owner,
    string Last4,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? LastUsedAt);

internal sealed record CreateSecretRequest(string? Name, string? ServiceId, string? Value);

internal sealed record RotateSecretRequest(string? Value);

/// <summary>The audit actions of the vault; details carry ids, names and scope, never a value.</summary>
[Audit.AuditActionCatalogue]
internal static class VaultAuditActions
{
    public const string Create = "secret.create";
    public const string Rotate = "secret.rotate";
    public const string Delete = "secret.delete";
    public const string Use = "secret.use";
}

internal static class SecretScopes
{
    public const string Shared = "shared";
    public const string User = "user";
}
