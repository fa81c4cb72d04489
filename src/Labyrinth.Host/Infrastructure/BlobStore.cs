using System.Security.Cryptography;
using Labyrinth.Core.Storage;
using Labyrinth.Host.Data;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Infrastructure;

/// <summary>
/// Where content-addressed bytes (plugin files, uploaded assets) are kept for good, named by their
/// lower-case hex SHA-256. Each instance still works from its data directory (files served from
/// memory or disk); a shared store is what a second instance fetches from when its directory lacks
/// something another instance wrote. Card snapshots are rows of the database already.
/// </summary>
internal interface IBlobStore
{
    /// <summary>
    /// True when the bytes live somewhere every instance reaches (the database); false when the
    /// data directory itself is the store, so a local copy is the only copy.
    /// </summary>
    bool IsShared { get; }

    /// <summary>Stores <paramref name="content"/> under its hash; storing the same bytes again is a no-op.</summary>
    Task PutAsync(string sha256, ReadOnlyMemory<byte> content, CancellationToken ct);

    /// <summary>The bytes stored under <paramref name="sha256"/>, or null when there are none.</summary>
    Task<byte[]?> GetAsync(string sha256, CancellationToken ct);

    /// <summary>As <see cref="GetAsync"/>, for callers that load synchronously (the plugin catalogue's loader).</summary>
    byte[]? Get(string sha256);

    /// <summary>
    /// Forgets <paramref name="sha256"/>; the bytes it removed, or null when it held none (another
    /// instance removed them first). Only <see cref="BlobCollector"/> calls it, under its lock,
    /// after checking that no row references the hash.
    /// </summary>
    Task<long?> DeleteAsync(string sha256, CancellationToken ct);

    /// <summary>Every blob the store holds (for the collector's sweep).</summary>
    Task<IReadOnlyList<StoredBlob>> ListAsync(CancellationToken ct);
}

/// <summary>One stored blob: its name and size.</summary>
internal sealed record StoredBlob(string Sha256, long Bytes);

/// <summary>The data directory is the store (the default, one instance): <c>{DataDir}/assets/ab/&lt;sha256&gt;</c>.</summary>
internal sealed class DirectoryBlobStore(HostPaths paths) : IBlobStore
{
    public bool IsShared => false;

    public async Task PutAsync(string sha256, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        BlobHashes.Check(sha256, content.Span);
        var target = DataLayout.AssetPath(paths.DataDir, sha256);
        if (File.Exists(target))
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await File.WriteAllBytesAsync(temp, content.ToArray(), ct);
        try
        {
            File.Move(temp, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            File.Delete(temp); // the same bytes arrived first from someone else
        }
    }

    public async Task<byte[]?> GetAsync(string sha256, CancellationToken ct)
    {
        var path = DataLayout.AssetPath(paths.DataDir, BlobHashes.Checked(sha256));
        return File.Exists(path) ? await File.ReadAllBytesAsync(path, ct) : null;
    }

    public byte[]? Get(string sha256)
    {
        var path = DataLayout.AssetPath(paths.DataDir, BlobHashes.Checked(sha256));
        return File.Exists(path) ? File.ReadAllBytes(path) : null;
    }

    public Task<long?> DeleteAsync(string sha256, CancellationToken ct)
    {
        var path = DataLayout.AssetPath(paths.DataDir, BlobHashes.Checked(sha256));
        // Renamed aside first: of two deleters (hosts sharing one directory) exactly one wins the
        // rename, so each file is counted as removed once.
        var doomed = path + "." + Guid.NewGuid().ToString("N") + ".del";
        try
        {
            File.Move(path, doomed);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<long?>(null);
        }

        var bytes = new FileInfo(doomed).Length;
        File.Delete(doomed);
        return Task.FromResult<long?>(bytes);
    }

    public Task<IReadOnlyList<StoredBlob>> ListAsync(CancellationToken ct)
    {
        var root = Path.Combine(paths.DataDir, DataLayout.AssetsDirectory);
        var found = new List<StoredBlob>();
        if (Directory.Exists(root))
        {
            foreach (var shard in Directory.EnumerateDirectories(root))
            {
                foreach (var file in new DirectoryInfo(shard).EnumerateFiles())
                {
                    // Temp files of uploads in flight (.tmp) and removals in flight (.del) are no blobs.
                    if (BlobHashes.IsName(file.Name))
                    {
                        found.Add(new StoredBlob(file.Name, file.Length));
                    }
                }
            }
        }

        return Task.FromResult<IReadOnlyList<StoredBlob>>(found);
    }
}

/// <summary>
/// The <c>Blobs</c> table of the host's own database (bytea on PostgreSQL), so a cluster needs
/// nothing but the database to share plugin files and uploads. Inserts race harmlessly: the key is
/// the hash, so two instances storing the same bytes leave one row.
/// </summary>
internal sealed class DatabaseBlobStore(IServiceScopeFactory scopes, TimeProvider clock) : IBlobStore
{
    public bool IsShared => true;

    public async Task PutAsync(string sha256, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        BlobHashes.Check(sha256, content.Span);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        if (await db.Blobs.AnyAsync(b => b.Sha256 == sha256, ct))
        {
            return;
        }

        db.Blobs.Add(new BlobEntity { Sha256 = sha256, Content = content.ToArray(), Length = content.Length, CreatedAt = clock.GetUtcNow().UtcDateTime });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another instance may have stored the same bytes between the check and the insert.
            if (!await ExistsAsync(sha256, ct))
            {
                throw;
            }
        }
    }

    public async Task<byte[]?> GetAsync(string sha256, CancellationToken ct)
    {
        BlobHashes.Checked(sha256);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        var content = await db.Blobs.AsNoTracking().Where(b => b.Sha256 == sha256).Select(b => b.Content).SingleOrDefaultAsync(ct);
        return content is null ? null : BlobHashes.Verified(sha256, content);
    }

    public byte[]? Get(string sha256)
    {
        BlobHashes.Checked(sha256);
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        var content = db.Blobs.AsNoTracking().Where(b => b.Sha256 == sha256).Select(b => b.Content).SingleOrDefault();
        return content is null ? null : BlobHashes.Verified(sha256, content);
    }

    public async Task<long?> DeleteAsync(string sha256, CancellationToken ct)
    {
        BlobHashes.Checked(sha256);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        var bytes = await db.Blobs.Where(b => b.Sha256 == sha256).Select(b => (long?)b.Length).SingleOrDefaultAsync(ct);
        return bytes is not null && await db.Blobs.Where(b => b.Sha256 == sha256).ExecuteDeleteAsync(ct) > 0 ? bytes : null;
    }

    public async Task<IReadOnlyList<StoredBlob>> ListAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        return await db.Blobs.AsNoTracking().Select(b => new StoredBlob(b.Sha256, b.Length)).ToListAsync(ct);
    }

    private async Task<bool> ExistsAsync(string sha256, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<LabyrinthDb>().Blobs.AnyAsync(b => b.Sha256 == sha256, ct);
    }
}

internal static class BlobHashes
{
    /// <summary>Only a lower-case hex SHA-256 names a blob (it becomes a path segment in the directory store).</summary>
    public static string Checked(string sha256)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        if (!IsName(sha256))
        {
            throw new ArgumentException("A blob is named by its lower-case hex SHA-256.", nameof(sha256));
        }

        return sha256;
    }

    public static bool IsName(string name) => name.Length == 64 && name.All(char.IsAsciiHexDigitLower);

    public static void Check(string sha256, ReadOnlySpan<byte> content)
    {
        Checked(sha256);
        if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(content)), sha256, StringComparison.Ordinal))
        {
            throw new ArgumentException("The bytes do not hash to the name they are stored under.", nameof(sha256));
        }
    }

    /// <summary>The stored bytes, after checking they still hash to their name (a changed row is never served).</summary>
    public static byte[]? Verified(string sha256, byte[] content) =>
        string.Equals(Convert.ToHexStringLower(SHA256.HashData(content)), sha256, StringComparison.Ordinal) ? content : null;
}

internal static class BlobStoreExtensions
{
    public static IServiceCollection AddBlobStore(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(LabyrinthOptions.Section + ":Blobs").Get<BlobSettings>() ?? new BlobSettings();
        if (settings.Provider == BlobProvider.Database)
        {
            services.AddSingleton<IBlobStore, DatabaseBlobStore>();
        }
        else
        {
            services.AddSingleton<IBlobStore, DirectoryBlobStore>();
        }

        services.AddSingleton<BlobGuard>();
        services.AddSingleton<BlobCollector>();
        services.AddHostedService<BlobSweeper>();
        return services;
    }
}
