namespace Labyrinth.Host.Data;

internal sealed class UserEntity
{
    public Guid Id { get; set; }
    public required string UserName { get; set; }
    public required string NormalizedUserName { get; set; }
    public required string PasswordHash { get; set; }
    public required string Role { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>Set when an admin disabled the account: sign-in, sessions and tokens stop working at once.</summary>
    public DateTime? DisabledAt { get; set; }

    /// <summary>
    /// Changes whenever every other session must end (password changed or reset). Cookies carry the
    /// value they were issued with; a cookie with another value is refused on its next request.
    /// </summary>
    public string SessionStamp { get; set; } = "";
}

internal sealed class SetupTokenEntity
{
    public int Id { get; set; }
    public required string TokenHash { get; set; }

    /// <summary>
    /// The unused token sealed with the Data Protection key ring, so any instance of the deployment
    /// can print the same link; cleared when the token is used. Null on rows from before it existed.
    /// </summary>
    public string? SealedToken { get; set; }

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

/// <summary>
/// The plugin windows (cards) of each board with the plugin version and card type each runs, kept
/// in step with the board document on every write, so every card request (its state, up to several
/// a second, its grants, assets, broker calls) resolves "which card is this, and is it on a board of
/// the caller's" with one indexed lookup instead of reading and parsing the whole document.
/// </summary>
internal sealed class CardWindowEntity
{
    public Guid BoardId { get; set; }
    public required string WindowId { get; set; }
    public required string PluginId { get; set; }
    public required string Version { get; set; }
    public required string TypeId { get; set; }
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

    /// <summary>Available only to members of the groups in PluginAvailability (possibly none); false: to everyone.</summary>
    public bool AvailabilityRestricted { get; set; }
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

    /// <summary>When the token stops working; null = it never expires.</summary>
    public DateTime? ExpiresAt { get; set; }
}

// ---------------------------------------------------------------------------------------------
// Card Security Contract: grants, assets, asset tokens, snapshots. A card instance is
// (BoardId, WindowId); the board's owner is the only user who can grant or use anything for it.
// ---------------------------------------------------------------------------------------------

/// <summary>One capability granted to one card instance by its board's owner. Revoking deletes the row (the audit log keeps history).</summary>
internal sealed class CardGrantEntity
{
    public Guid BoardId { get; set; }
    public required string WindowId { get; set; }

    /// <summary>e.g. <c>network:openai</c>, <c>fileRegistry:image</c>, <c>crossCard:pubsub</c>.</summary>
    public required string Capability { get; set; }

    public Guid UserId { get; set; }

    /// <summary>Opaque handle shown to the card and in the panel, e.g. <c>token://openai/card-w_…/session-…</c> (network grants only).</summary>
    public string? Handle { get; set; }

    public DateTime GrantedAt { get; set; }
}

/// <summary>
/// A capability an admin granted a plugin's background services (<c>crossCard:pubsub</c>,
/// <c>api:&lt;pluginId&gt;</c>): no person watches a service, so its grants are the admin's, per plugin.
/// </summary>
internal sealed class PluginServiceGrantEntity
{
    public required string PluginId { get; set; }

    public required string Capability { get; set; }

    public required string GrantedBy { get; set; }

    public DateTime GrantedAt { get; set; }
}

/// <summary>
/// A plugin's admin configuration (its manifest's <c>configSchema</c>): the non-secret values as
/// JSON, and each secret field's value encrypted by the vault's Data Protection key ring (field
/// pointer → protected text). Kept across versions; checked against the active schema on read.
/// </summary>
internal sealed class PluginConfigEntity
{
    public required string PluginId { get; set; }

    public required string ValuesJson { get; set; }

    public required string SecretsJson { get; set; }

    /// <summary>One more on every save (the page shows it; cards see only the values).</summary>
    public long Revision { get; set; }

    public required string UpdatedBy { get; set; }

    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// One key of a plugin's key/value storage. <see cref="OwnerId"/> is the person for the <c>user</c>
/// scope and <see cref="Guid.Empty"/> for the shared <c>workspace</c> scope; <see cref="Bytes"/> is
/// what the item counts against its quota (key and value, UTF-8).
/// </summary>
internal sealed class PluginStorageItemEntity
{
    public required string PluginId { get; set; }

    public required string Scope { get; set; }

    public Guid OwnerId { get; set; }

    public required string Key { get; set; }

    public required string ValueJson { get; set; }

    public long Bytes { get; set; }

    public long Version { get; set; }

    public DateTime UpdatedAt { get; set; }
}

/// <summary>A user's uploaded file in the File Registry; bytes live content-addressed on disk (data/assets/ab/abcdef…).</summary>
internal sealed class AssetEntity
{
    public Guid Id { get; set; }
    public Guid OwnerId { get; set; }

    /// <summary>Lower-case hex SHA-256 of the bytes: the file name in the store.</summary>
    public required string Sha256 { get; set; }

    /// <summary><c>image</c>, <c>pdf</c>, <c>3d-model</c> or <c>text</c>.</summary>
    public required string Type { get; set; }

    /// <summary>Decided from magic bytes on upload, never from the client.</summary>
    public required string MediaType { get; set; }

    public required string Name { get; set; }
    public long Bytes { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>An asset given to one card instance. Only the SHA-256 of the token is stored.</summary>
internal sealed class AssetGrantEntity
{
    public Guid Id { get; set; }
    public required string TokenHash { get; set; }
    public Guid AssetId { get; set; }
    public Guid BoardId { get; set; }
    public required string WindowId { get; set; }
    public Guid UserId { get; set; }
    public DateTime GrantedAt { get; set; }
}

/// <summary>The image shown on a closed card: the last rasterised state of its frame (≤ 200 KB).</summary>
internal sealed class CardSnapshotEntity
{
    public Guid BoardId { get; set; }
    public required string WindowId { get; set; }
    public required string MediaType { get; set; }
    public required byte[] Data { get; set; }
    public required string Sha256 { get; set; }
    public DateTime UpdatedAt { get; set; }
}

// ---------------------------------------------------------------------------------------------
// Vault + broker.
// ---------------------------------------------------------------------------------------------

/// <summary>A secret, encrypted with Data Protection. OwnerId null = an admin-level (shared) secret.</summary>
internal sealed class SecretEntity
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string ServiceId { get; set; }
    public Guid? OwnerId { get; set; }

    /// <summary>Data Protection ciphertext (purpose "Labyrinth.Vault.v1"); never leaves the server.</summary>
    public required string Protected { get; set; }

    public required string Last4 { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
}

/// <summary>An admin-defined network service a card can reach through the broker.</summary>
internal sealed class NetworkServiceEntity
{
    /// <summary>The <c>network:&lt;id&gt;</c> capability name, e.g. <c>openai</c>.</summary>
    public required string Id { get; set; }

    public required string DisplayName { get; set; }
    public required string BaseUrl { get; set; }

    /// <summary>JSON array of upper-case methods.</summary>
    public required string MethodsJson { get; set; }

    /// <summary>JSON array of path prefixes relative to the base URL, e.g. ["/chat/completions"].</summary>
    public required string PathPrefixesJson { get; set; }

    /// <summary><c>header</c> or <c>query</c>.</summary>
    public required string SecretIn { get; set; }

    /// <summary>Header or query parameter name, e.g. <c>Authorization</c>.</summary>
    public required string SecretName { get; set; }

    /// <summary>e.g. <c>Bearer {secret}</c>.</summary>
    public required string SecretTemplate { get; set; }

    public int TimeoutSeconds { get; set; }
    public long MaxRequestBytes { get; set; }
    public long MaxResponseBytes { get; set; }
    public int RatePerMinute { get; set; }

    /// <summary>Requests a card may send at once before <see cref="RatePerMinute"/> applies (the token bucket's size).</summary>
    public int Burst { get; set; }
    public bool AllowStreaming { get; set; }
    public bool AllowPrivateNetwork { get; set; }
    public bool Enabled { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>One brokered request, for the card's permissions panel (no bodies, no secrets, no query values).</summary>
internal sealed class NetworkLogEntity
{
    public long Id { get; set; }
    public Guid BoardId { get; set; }
    public required string WindowId { get; set; }
    public Guid UserId { get; set; }
    public required string ServiceId { get; set; }
    public required string Method { get; set; }
    public required string Path { get; set; }
    public int Status { get; set; }
    public long RequestBytes { get; set; }
    public long ResponseBytes { get; set; }
    public double DurationMs { get; set; }

    /// <summary>Stable error code when the broker refused or failed the request, else null.</summary>
    public string? Error { get; set; }

    public DateTime AtUtc { get; set; }
}

// ---------------------------------------------------------------------------------------------
// Themes.
// ---------------------------------------------------------------------------------------------

/// <summary>Per-user preferences; ThemeId null = follow the admin default, then the system preference.</summary>
internal sealed class UserPreferenceEntity
{
    public Guid UserId { get; set; }
    public string? ThemeId { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>Host-wide settings as key/value (e.g. <c>theme.default</c>).</summary>
internal sealed class HostSettingEntity
{
    public required string Key { get; set; }
    public required string Value { get; set; }
    public DateTime UpdatedAt { get; set; }
}

// ---------------------------------------------------------------------------------------------
// Ink on boards, and selections of it shared with one card (Convert to Math).
// ---------------------------------------------------------------------------------------------

/// <summary>
/// Per-board ink bookkeeping: the revision every stroke write bumps (the strokes ETag, and the
/// concurrency token that serialises writers), the live count for the stroke limit and the next
/// drawing-order number.
/// </summary>
internal sealed class InkBoardEntity
{
    public Guid BoardId { get; set; }
    public long Revision { get; set; }
    public int LiveStrokes { get; set; }
    public long NextSeq { get; set; }
}

/// <summary>
/// One stroke: vector data in its own row, never part of the board document. Erasing sets
/// <see cref="ErasedBy"/> (the erase operation's id) instead of deleting, so the eraser's undo can
/// restore exactly what it erased and nothing someone else erased.
/// </summary>
internal sealed class InkStrokeEntity
{
    public Guid BoardId { get; set; }

    /// <summary>Chosen by the client (8–64 of <c>[A-Za-z0-9_-]</c>), unique per board.</summary>
    public required string StrokeId { get; set; }

    /// <summary>Drawing order on the board.</summary>
    public long Seq { get; set; }

    /// <summary><c>#rrggbb</c> or <c>currentColor</c> (default ink).</summary>
    public required string Color { get; set; }

    public double Width { get; set; }
    public int PointCount { get; set; }

    /// <summary>The points in the compact encoding (Labyrinth.Core.Ink.StrokeCodec).</summary>
    public required byte[] Points { get; set; }

    public double MinX { get; set; }
    public double MinY { get; set; }
    public double MaxX { get; set; }
    public double MaxY { get; set; }
    public DateTime CreatedAt { get; set; }
    public string? ErasedBy { get; set; }
    public DateTime? ErasedAt { get; set; }
}

/// <summary>
/// The ink selection a person gave one card (lasso → Convert to Math): the selected strokes in
/// card-local coordinates and the PNG the host rendered of them. One per card; revoking deletes it.
/// </summary>
internal sealed class SharedSelectionEntity
{
    public Guid BoardId { get; set; }
    public required string WindowId { get; set; }

    /// <summary>Opaque id the card sees (<c>sel_</c> + 16 hex).</summary>
    public required string SelectionId { get; set; }

    public Guid UserId { get; set; }
    public double Width { get; set; }
    public double Height { get; set; }
    public int StrokeCount { get; set; }
    public int PointCount { get; set; }

    /// <summary>The strokes as the card receives them: <c>[{ points: [[x, y, p], …], color, width }]</c>.</summary>
    public required string StrokesJson { get; set; }

    public required byte[] Png { get; set; }
    public required string PngSha256 { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A named set of people; plugins can be limited to groups, and rollouts can go to them first.</summary>
internal sealed class GroupEntity
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string NormalizedName { get; set; }
    public DateTime CreatedAt { get; set; }
}

internal sealed class GroupMemberEntity
{
    public Guid GroupId { get; set; }
    public Guid UserId { get; set; }
    public DateTime AddedAt { get; set; }
}

/// <summary>One group a restricted plugin is available to.</summary>
internal sealed class PluginAvailabilityEntity
{
    public required string PluginId { get; set; }
    public Guid GroupId { get; set; }
}

/// <summary>
/// A staged rollout of one plugin: <see cref="ToVersion"/> for an audience (groups or a share of
/// people), <see cref="FromVersion"/> (the active version) for everyone else, with each version's
/// figures while it runs. One rollout per plugin is running or paused at a time.
/// </summary>
internal sealed class RolloutEntity
{
    public Guid Id { get; set; }
    public required string PluginId { get; set; }
    public required string FromVersion { get; set; }
    public required string ToVersion { get; set; }

    /// <summary><see cref="RolloutStatus"/>.</summary>
    public required string Status { get; set; }

    public int? Percent { get; set; }

    /// <summary>JSON array of group ids, for a group rollout.</summary>
    public string? GroupIdsJson { get; set; }

    public int MinOpens { get; set; }
    public double MarginPerThousand { get; set; }

    public long FromOpens { get; set; }
    public long FromMountFailures { get; set; }
    public long FromCardErrors { get; set; }
    public long FromBridgeViolations { get; set; }
    public long ToOpens { get; set; }
    public long ToMountFailures { get; set; }
    public long ToCardErrors { get; set; }
    public long ToBridgeViolations { get; set; }

    public required string StartedBy { get; set; }
    public DateTime StartedAt { get; set; }
    public string? EndedBy { get; set; }
    public DateTime? EndedAt { get; set; }

    /// <summary>Why the host rolled it back by itself (JSON: the breaches and both versions' figures).</summary>
    public string? AutoRollbackJson { get; set; }
}

/// <summary>The states of a rollout. Running and paused ones are "current"; the others are history.</summary>
internal static class RolloutStatus
{
    public const string Running = "running";

    /// <summary>Rolled back by the host: everyone is on the previous version until an admin promotes or rolls back.</summary>
    public const string Paused = "paused";

    public const string Promoted = "promoted";
    public const string RolledBack = "rolled_back";

    public static bool IsCurrent(string status) => status is Running or Paused;
}

/// <summary>
/// One content-addressed blob kept in the database (<c>Labyrinth:Blobs:Provider = Database</c>):
/// the bytes are immutable and named by their SHA-256, so a row is only ever inserted or deleted.
/// </summary>
internal sealed class BlobEntity
{
    /// <summary>Lower-case hex SHA-256 of <see cref="Content"/>.</summary>
    public required string Sha256 { get; set; }

    public required byte[] Content { get; set; }

    public long Length { get; set; }

    public DateTime CreatedAt { get; set; }
}
