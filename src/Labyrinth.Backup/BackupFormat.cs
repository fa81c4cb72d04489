using System.Globalization;

namespace Labyrinth.Backup;

/// <summary>
/// The archive: a plain zip (so <c>unzip -l</c> can list it) holding
/// <code>
/// manifest.json              what is in it, with the SHA-256 of every other entry
/// database/labyrinth.db      a consistent snapshot of the whole database
/// keys/…                     the data directory's keys/ folder: the Data Protection key ring
///                            (it decrypts the vault) and the local publisher key
/// blobs/&lt;sha256&gt;             every file the snapshot references, named by its own SHA-256:
///                            plugin files and File Registry assets
/// </code>
/// Entry names are ASCII and follow <see cref="CheckEntryName"/>, so a name never has to be
/// decoded, normalised or case-folded to decide where it goes.
/// </summary>
public static class BackupFormat
{
    public const string FormatName = "labyrinth-backup";
    public const int FormatVersion = 1;
    public const string ManifestEntry = "manifest.json";
    public const string DatabaseDirectory = "database/";
    public const string KeysDirectory = "keys/";
    public const string BlobsDirectory = "blobs/";

    /// <summary>The file name for a backup taken at <paramref name="at"/>; it sorts by time.</summary>
    public const string FileNamePrefix = "labyrinth-backup-";
    public const string FileNameExtension = ".zip";
    private const string FileNameTime = "yyyyMMdd'T'HHmmss'Z'";

    public const int MaxEntryNameLength = 255;

    public static string BlobEntry(string sha256) => BlobsDirectory + sha256;

    public static string FileName(DateTimeOffset at) =>
        FileNamePrefix + at.UtcDateTime.ToString(FileNameTime, CultureInfo.InvariantCulture) + FileNameExtension;

    /// <summary>The time in a name made by <see cref="FileName"/>; null for any other name.</summary>
    public static DateTimeOffset? TimeFromFileName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        if (!fileName.StartsWith(FileNamePrefix, StringComparison.Ordinal) || !fileName.EndsWith(FileNameExtension, StringComparison.Ordinal))
        {
            return null;
        }

        var stamp = fileName[FileNamePrefix.Length..^FileNameExtension.Length];
        return DateTime.TryParseExact(stamp, FileNameTime, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
            ? new DateTimeOffset(at, TimeSpan.Zero)
            : null;
    }

    /// <summary>A size as people read it: 512 B, 3.2 MiB.</summary>
    public static string FormatBytes(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.##} GiB"),
    };

    public static bool IsSha256(string value) =>
        value is { Length: 64 } && value.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    /// <summary>
    /// Null when <paramref name="name"/> may appear in an archive, else why not. Segments are
    /// <c>[A-Za-z0-9_-]</c> plus dots that never start a segment, joined by single slashes: no
    /// absolute paths, drive letters, backslashes, <c>..</c>, hidden names or non-ASCII.
    /// </summary>
    public static string? CheckEntryName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > MaxEntryNameLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"its name must be 1 to {MaxEntryNameLength} characters long.");
        }

        foreach (var segment in name.Split('/'))
        {
            if (segment.Length == 0)
            {
                return "its name has an empty segment (a leading, doubled or trailing \"/\").";
            }

            if (segment[0] == '.')
            {
                return "its name has a segment starting with \".\" (\"..\" or a hidden name).";
            }

            if (!segment.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-'))
            {
                return "its name may only contain ASCII letters, digits, \".\", \"_\", \"-\" and \"/\" between segments.";
            }
        }

        return null;
    }
}

/// <summary>Caps for reading an archive nobody vouches for; the defaults fit any real data directory.</summary>
public sealed record BackupLimits
{
    public static BackupLimits Default { get; } = new();

    public int MaxEntries { get; init; } = 2_000_000;

    public int MaxManifestBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>One key file; Data Protection keys are about 1 KB.</summary>
    public int MaxKeyFileBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// Deflate cannot expand data more than about 1032:1, so an archive declaring more content than
    /// this many times its own size has entries sharing compressed bytes (a zip bomb).
    /// </summary>
    public int MaxExpansionRatio { get; init; } = 1100;
}
