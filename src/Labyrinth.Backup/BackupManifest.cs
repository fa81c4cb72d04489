using System.Text.Json;
using System.Text.Json.Serialization;

namespace Labyrinth.Backup;

/// <summary>
/// <c>manifest.json</c>: what a backup holds and the SHA-256 of every part. The hashes find
/// damage, truncation and parts swapped for others; they are not a signature (whoever can write
/// the archive can rewrite the manifest), so the file is protected like the key ring it carries.
/// </summary>
public sealed record BackupManifest(
    string Format,
    int FormatVersion,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DatabasePart Database,
    AuditHead Audit,
    BackupCounts Counts,
    IReadOnlyList<FilePart> Keys,
    IReadOnlyList<BlobPart> Blobs)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        MaxDepth = 8,
    };

    /// <summary>Every part's size, the database's included: what a restore writes.</summary>
    public long TotalBytes => Database.Bytes + Keys.Sum(k => k.Bytes) + Blobs.Sum(b => b.Bytes);

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Parses manifest bytes from an archive; null with a sentence when they are not a manifest this version reads.</summary>
    public static BackupManifest? Parse(ReadOnlySpan<byte> json, out string? problem)
    {
        problem = null;
        try
        {
            // Format and version first, so a newer archive says so instead of failing on its new fields.
            using (var doc = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 }))
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object ||
                    !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != BackupFormat.FormatName)
                {
                    problem = "manifest.json is not a Labyrinth backup manifest.";
                    return null;
                }

                if (!root.TryGetProperty("formatVersion", out var version) || version.ValueKind != JsonValueKind.Number ||
                    !version.TryGetInt32(out var number) || number != BackupFormat.FormatVersion)
                {
                    problem = $"manifest.json has format version {(root.TryGetProperty("formatVersion", out var v) ? v.GetRawText() : "(none)")}; this version of Labyrinth reads version {BackupFormat.FormatVersion}.";
                    return null;
                }
            }

            var manifest = JsonSerializer.Deserialize<BackupManifest>(json, Json);
            problem = manifest is null ? "manifest.json is empty." : Check(manifest);
            return problem is null ? manifest : null;
        }
        catch (JsonException ex)
        {
            problem = "manifest.json is not valid: " + ex.Message;
            return null;
        }
    }

    /// <summary>Rules the JSON shape cannot say: names, hashes and sizes that make sense, and no part listed twice.</summary>
    private static string? Check(BackupManifest m)
    {
        if (!m.Database.Entry.StartsWith(BackupFormat.DatabaseDirectory, StringComparison.Ordinal) || BackupFormat.CheckEntryName(m.Database.Entry) is not null)
        {
            return $"manifest.json names the database entry \"{m.Database.Entry}\", which is not under {BackupFormat.DatabaseDirectory}.";
        }

        if (!BackupFormat.IsSha256(m.Database.Sha256) || m.Database.Bytes <= 0)
        {
            return "manifest.json gives the database an invalid SHA-256 or size.";
        }

        if (!BackupFormat.IsSha256(m.Audit.Head) || m.Audit.Entries < 0)
        {
            return "manifest.json gives the audit chain an invalid head hash or length.";
        }

        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var key in m.Keys)
        {
            if (!key.Entry.StartsWith(BackupFormat.KeysDirectory, StringComparison.Ordinal) || BackupFormat.CheckEntryName(key.Entry) is not null)
            {
                return $"manifest.json lists the key file \"{key.Entry}\", which is not a valid name under {BackupFormat.KeysDirectory}.";
            }

            if (!BackupFormat.IsSha256(key.Sha256) || key.Bytes < 0 || !keys.Add(key.Entry))
            {
                return $"manifest.json lists the key file \"{key.Entry}\" twice or with an invalid SHA-256 or size.";
            }
        }

        var blobs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var blob in m.Blobs)
        {
            if (!BackupFormat.IsSha256(blob.Sha256) || blob.Bytes < 0 || !blobs.Add(blob.Sha256))
            {
                return $"manifest.json lists the blob \"{blob.Sha256}\" twice or with an invalid hash or size.";
            }
        }

        return null;
    }
}

/// <summary>The database part: which provider wrote it, its entry, size and hash, and what it held.</summary>
/// <param name="SchemaVersion">The last migration applied (EF Core's <c>__EFMigrationsHistory</c>).</param>
/// <param name="Tables">Rows per table, every table of the snapshot, so a restore can be compared at a glance.</param>
public sealed record DatabasePart(string Provider, string Entry, long Bytes, string Sha256, string? SchemaVersion, IReadOnlyDictionary<string, long> Tables);

/// <summary>
/// The audit chain as the snapshot held it: its length and last hash. <paramref name="Problem"/>
/// is set when the chain was already broken when the backup was taken (the backup is still made).
/// </summary>
public sealed record AuditHead(long Entries, string Head, string? Problem);

public sealed record BackupCounts(int PluginVersions, int PluginFiles, int Assets, int Blobs, long BlobBytes, int KeyFiles);

public sealed record FilePart(string Entry, long Bytes, string Sha256);

/// <summary>A content-addressed file; its entry is <c>blobs/&lt;sha256&gt;</c>.</summary>
public sealed record BlobPart(string Sha256, long Bytes);
