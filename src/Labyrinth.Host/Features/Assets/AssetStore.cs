using System.Security.Cryptography;
using Labyrinth.Core.Assets;
using Labyrinth.Core.Storage;
using Labyrinth.Host.Infrastructure;
using Labyrinth.Core.Text;

namespace Labyrinth.Host.Features.Assets;

/// <summary>File Registry settings, bound from the "Labyrinth" section.</summary>
internal sealed class AssetOptions
{
    /// <summary><c>Labyrinth:MaxAssetBytes</c>: the largest upload accepted (default 25 MiB).</summary>
    public long MaxAssetBytes { get; set; } = 25L * 1024 * 1024;
}

/// <summary>The outcome of storing an upload: its hash, size and kind, or why it was refused.</summary>
internal sealed record StoredUpload(string? Sha256, long Bytes, AssetKind? Kind, bool TooLarge, string? Refusal);

/// <summary>
/// The content-addressed byte store under <c>{DataDir}/assets/ab/&lt;sha256&gt;</c>. Uploads stream to a
/// temp file (counted and hashed while read, never held in memory), are sniffed there, then moved
/// into place atomically; the same bytes twice share one file. An upload holds the
/// <see cref="BlobGuard"/> from moving the file in until its row commits; removal is the
/// <see cref="BlobCollector"/>'s alone, so a file is never removed under a new row.
/// </summary>
internal sealed class AssetStore
{
    private readonly string dataDir;
    private readonly string temp;
    private readonly IBlobStore blobs;

    public AssetStore(HostPaths paths, IBlobStore blobs)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(blobs);
        this.blobs = blobs;
        dataDir = paths.DataDir;
        temp = Path.Combine(paths.DataDir, DataLayout.AssetsDirectory, ".tmp");
    }

    public string PathFor(string sha256) => DataLayout.AssetPath(dataDir, sha256);

    /// <summary>Reads <paramref name="body"/> into a temp file, stopping as soon as it passes <paramref name="maxBytes"/>.</summary>
    public async Task<(StoredUpload Result, string? TempFile)> ReceiveAsync(Stream body, long maxBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        Directory.CreateDirectory(temp);
        var tempFile = Path.Combine(temp, Guid.NewGuid().ToString("N"));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long total = 0;
        try
        {
            await using (var file = new FileStream(tempFile, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await body.ReadAsync(buffer, ct)) > 0)
                {
                    total += read;
                    if (total > maxBytes)
                    {
                        break; // stop reading at once; the rest of the body is never pulled
                    }

                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
                }
            }

            if (total > maxBytes)
            {
                File.Delete(tempFile);
                return (new StoredUpload(null, total, null, TooLarge: true, null), null);
            }

            SniffResult sniff;
            await using (var file = new FileStream(tempFile, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: false))
            {
                sniff = AssetSniffer.Sniff(file);
            }

            if (sniff.Kind is null)
            {
                File.Delete(tempFile);
                return (new StoredUpload(null, total, null, false, sniff.Refusal), null);
            }

            return (new StoredUpload(Convert.ToHexStringLower(hash.GetHashAndReset()), total, sniff.Kind, false, null), tempFile);
        }
        catch
        {
            TryDelete(tempFile);
            throw;
        }
    }

    /// <summary>Moves a received temp file into the store (hold <see cref="BlobGuard.HoldForWriteAsync"/>); an existing identical file wins.</summary>
    public void Commit(string tempFile, string sha256)
    {
        var target = PathFor(sha256);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (File.Exists(target))
        {
            File.Delete(tempFile);
            return;
        }

        try
        {
            File.Move(tempFile, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            File.Delete(tempFile);
        }
    }

    /// <summary>
    /// Copies a committed file to the shared blob store (when there is one), so every instance can
    /// serve it; call before the row that references it commits.
    /// </summary>
    public async Task ShareAsync(string sha256, CancellationToken ct)
    {
        if (blobs.IsShared)
        {
            await blobs.PutAsync(sha256, await File.ReadAllBytesAsync(PathFor(sha256), ct), ct);
        }
    }

    /// <summary>
    /// The local file holding <paramref name="sha256"/>, fetched from the shared blob store into this
    /// instance's directory (its cache) when another instance stored it; null when there is none.
    /// </summary>
    public async Task<string?> LocalPathAsync(string sha256, CancellationToken ct)
    {
        var path = PathFor(sha256);
        if (File.Exists(path) || !blobs.IsShared)
        {
            return File.Exists(path) ? path : null;
        }

        var bytes = await blobs.GetAsync(sha256, ct);
        if (bytes is null)
        {
            return null;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var part = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await File.WriteAllBytesAsync(part, bytes, ct);
        try
        {
            File.Move(part, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            TryDelete(part); // a concurrent request cached it first
        }

        return path;
    }

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Upload file names: shown to people and cards, never used as a path.</summary>
internal static class AssetNames
{
    public const int MaxLength = 200;

    /// <summary>The last path segment without control characters, trimmed; null when nothing usable is left or it is too long.</summary>
    public static string? Sanitize(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var lastSeparator = name.LastIndexOfAny(['/', '\\']);
        var segment = lastSeparator >= 0 ? name[(lastSeparator + 1)..] : name;
        var clean = DisplayText.Scrub(segment, replacement: "").Trim();
        clean = clean.TrimStart('.');
        return clean.Length is 0 or > MaxLength ? null : clean;
    }
}
