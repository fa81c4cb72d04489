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
}
