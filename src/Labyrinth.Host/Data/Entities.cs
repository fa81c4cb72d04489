namespace Labyrinth.Host.Data;

internal sealed class UserEntity
{
    public Guid Id { get; set; }
    public required string UserName { get; set; }
    public required string NormalizedUserName { get; set; }
    public required string PasswordHash { get; set; }
    public required string Role { get; set; }
    public DateTime CreatedAt { get; set; }
}

internal sealed class SetupTokenEntity
{
    public int Id { get; set; }
    public required string TokenHash { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? UsedAt { get; set; }
}

internal sealed class BoardEntity
{
    public Guid Id { get; set; }
    public Guid OwnerId { get; set; }
    public required string Name { get; set; }

    /// <summary>Bumped on every write; the ETag clients send back in If-Match.</summary>
    public long Version { get; set; }

    /// <summary>The board document (viewport + windows) as JSON; payloads live in <see cref="CardPayloadEntity"/>.</summary>
    public required string DocumentJson { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class CardPayloadEntity
{
    public Guid BoardId { get; set; }
    public required string WindowId { get; set; }
    public required string PayloadJson { get; set; }
    public long Version { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class PluginEntity
{
    public required string Id { get; set; }
    public required string ActiveVersion { get; set; }
    public bool Enabled { get; set; }

    /// <summary>Kill switch for every version of the plugin; explicit un-kill only.</summary>
    public bool Killed { get; set; }

    public string? KillReason { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class PluginVersionEntity
{
    public required string PluginId { get; set; }
    public required string Version { get; set; }
    public required string ManifestJson { get; set; }

    /// <summary>JSON array of { path, sha256, bytes } — the only files this version may serve.</summary>
    public required string FilesJson { get; set; }

    public long TotalBytes { get; set; }
    public DateTime InstalledAt { get; set; }

    /// <summary>Lower-case hex of the package digest (PackageDigest): equal digests mean the same bytes.</summary>
    public string Digest { get; set; } = "";

    /// <summary>"trusted" or "unsigned-allowlisted", decided at install.</summary>
    public string SignatureStatus { get; set; } = "trusted";

    public string? KeyName { get; set; }
    public string? KeyId { get; set; }
    public bool Killed { get; set; }
    public string? KillReason { get; set; }
}

/// <summary>One audit row. Rows are only ever inserted (AuditLog); Hash chains them (AuditChain).</summary>
internal sealed class AuditEntryEntity
{
    /// <summary>Insertion order (the row id); verification walks rows in this order, so reordering sequences shows.</summary>
    public long Id { get; set; }

    public long Sequence { get; set; }
    public DateTime AtUtc { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public string? PluginId { get; set; }
    public required string DetailJson { get; set; }
    public required string PrevHash { get; set; }
    public required string Hash { get; set; }
}

internal sealed class TrustedKeyEntity
{
    public required string KeyId { get; set; }
    public required string Name { get; set; }

    /// <summary>Base64 of the raw 32-byte Ed25519 public key.</summary>
    public required string PublicKey { get; set; }

    public DateTime AddedAt { get; set; }
}

/// <summary>A plugin id an admin allows to install unsigned (policy Strict otherwise refuses it).</summary>
internal sealed class UnsignedAllowlistEntity
{
    public required string PluginId { get; set; }
    public DateTime AddedAt { get; set; }
}

/// <summary>A personal access token; only the SHA-256 of the token is stored.</summary>
internal sealed class PersonalAccessTokenEntity
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string Name { get; set; }
    public required string TokenHash { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
}
