using System.Text.Json;
using Labyrinth.Core.Storage;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Plugins;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Infrastructure;

/// <summary>
/// Orders blob writes against blob removal across every instance. A writer (an upload, a plugin
/// install) holds it from before it stores bytes until the row that names them has committed; the
/// collector holds it alone while it decides what nothing references and removes it. So a blob
/// stored just before its row commits is never collected: either the collector ran first (and the
/// writer stores the bytes again) or it sees the row. On PostgreSQL it is a session advisory lock
/// (writers share it, so they never wait for each other); on SQLite, one instance, a lock in the
/// process.
/// </summary>
internal sealed class BlobGuard(DatabaseEngine engine) : IDisposable
{
    private readonly SemaphoreSlim local = new(1, 1);

    public void Dispose() => local.Dispose();

    public async Task<IAsyncDisposable> HoldForWriteAsync(CancellationToken ct)
    {
        if (engine.IsPostgres)
        {
            return (await engine.TakeSessionLockAsync(AdvisoryLockKeys.Blobs, shared: true, wait: true, ct))!;
        }

        await local.WaitAsync(ct);
        return new Release(local);
    }

    /// <summary>The collector's exclusive hold; null when <paramref name="wait"/> is false and a writer or another collector holds it.</summary>
    public async Task<IAsyncDisposable?> HoldForCollectionAsync(bool wait, CancellationToken ct)
    {
        if (engine.IsPostgres)
        {
            return await engine.TakeSessionLockAsync(AdvisoryLockKeys.Blobs, shared: false, wait, ct);
        }

        if (wait)
        {
            await local.WaitAsync(ct);
        }
        else if (!await local.WaitAsync(0, ct))
        {
            return null;
        }

        return new Release(local);
    }

    private sealed class Release(SemaphoreSlim semaphore) : IAsyncDisposable
    {
        private int released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                semaphore.Release();
            }

            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>What one collection removed (or that it did not run).</summary>
internal sealed record BlobCollection(int Removed, long Bytes, bool Ran)
{
    public static BlobCollection NotRun { get; } = new(0, 0, Ran: false);
}

/// <summary>
/// Removes blobs nothing references any more. A blob is referenced while an asset row names its
/// hash (the File Registry) or an installed plugin version lists it among its files (every
/// installed version, active or kept for rollback; uninstalling a version lets its files go).
/// Card snapshots and shared selections are rows of their own and go with them; backups are
/// archives that carry their own copies. The decision is made in the database under
/// <see cref="BlobGuard"/>, so two instances never remove a blob a new row is about to name, and
/// each blob is removed once. Runs right after a reference goes away (<see cref="CollectAsync"/>)
/// and in a periodic sweep that one instance at a time runs (<see cref="SweepAsync"/>).
/// While a backup of this instance's data directory copies files, removals wait (<see cref="PinAsync"/>).
/// </summary>
internal sealed partial class BlobCollector(IServiceScopeFactory scopes, IBlobStore blobs, BlobGuard guard, HostPaths paths, ILogger<BlobCollector> logger) : IDisposable
{
    public const string ReasonSweep = "sweep";
    public const string ReasonAssetDeleted = "asset deleted";
    public const string ReasonUserDeleted = "account deleted";
    public const string ReasonUninstall = "plugin uninstalled";
    public const string ReasonBackupEnded = "backup ended";

    // One collection of this instance at a time, so a pin never lands in the middle of one.
    private readonly SemaphoreSlim running = new(1, 1);
    private readonly Lock pinLock = new();
    private readonly HashSet<string> deferred = new(StringComparer.Ordinal);
    private int pins;

    public void Dispose() => running.Dispose();

    /// <summary>Removes those of <paramref name="candidates"/> that nothing references (once the caller's own removal committed).</summary>
    public async Task<BlobCollection> CollectAsync(IEnumerable<string> candidates, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var hashes = candidates.Select(c => c.ToLowerInvariant()).Where(BlobHashes.IsName).Distinct(StringComparer.Ordinal).ToList();
        if (hashes.Count == 0)
        {
            return BlobCollection.NotRun;
        }

        await running.WaitAsync(ct);
        try
        {
            lock (pinLock)
            {
                if (pins > 0)
                {
                    deferred.UnionWith(hashes);
                    return BlobCollection.NotRun;
                }
            }

            await using var hold = await guard.HoldForCollectionAsync(wait: true, ct);
            return await RemoveUnreferencedAsync(hashes, onlyThese: true, reason, ct);
        }
        finally
        {
            running.Release();
        }
    }

    /// <summary>
    /// Looks at every stored blob and removes the unreferenced ones. When another instance is
    /// sweeping, or a writer holds the store, it does nothing (the next sweep comes).
    /// </summary>
    public async Task<BlobCollection> SweepAsync(CancellationToken ct)
    {
        await running.WaitAsync(ct);
        try
        {
            lock (pinLock)
            {
                if (pins > 0)
                {
                    return BlobCollection.NotRun;
                }
            }

            await using var hold = await guard.HoldForCollectionAsync(wait: false, ct);
            if (hold is null)
            {
                LogSweepBusy(logger);
                return BlobCollection.NotRun;
            }

            var stored = await blobs.ListAsync(ct);
            return await RemoveUnreferencedAsync(stored.Select(b => b.Sha256).ToList(), onlyThese: false, ReasonSweep, ct);
        }
        finally
        {
            running.Release();
        }
    }

    /// <summary>Keeps every blob of this instance in place until the returned handle is disposed; pins nest.</summary>
    public async Task<IAsyncDisposable> PinAsync(CancellationToken ct)
    {
        await running.WaitAsync(ct);
        try
        {
            lock (pinLock)
            {
                pins++;
            }
        }
        finally
        {
            running.Release();
        }

        return new Pin(this);
    }

    private async Task UnpinAsync()
    {
        List<string> due;
        lock (pinLock)
        {
            pins--;
            if (pins > 0 || deferred.Count == 0)
            {
                return;
            }

            due = [.. deferred];
            deferred.Clear();
        }

        // Checked again: the same bytes may have been uploaded again while the backup ran.
        await CollectAsync(due, ReasonBackupEnded, CancellationToken.None);
    }

    private async Task<BlobCollection> RemoveUnreferencedAsync(List<string> hashes, bool onlyThese, string reason, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        var referenced = await ReferencedAsync(db, onlyThese ? hashes : null, ct);
        var removed = 0;
        long bytes = 0;
        foreach (var sha in hashes)
        {
            if (referenced.Contains(sha))
            {
                continue;
            }

            try
            {
                if (await blobs.DeleteAsync(sha, ct) is { } length)
                {
                    removed++;
                    bytes += length;
                }

                if (blobs.IsShared)
                {
                    // This instance's cached copy; other instances' copies are never served without a row.
                    Features.Assets.AssetStore.TryDelete(DataLayout.AssetPath(paths.DataDir, sha));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
            {
                LogRemoveFailed(logger, sha, ex);
            }
        }

        if (removed > 0)
        {
            LogCollected(logger, reason, removed, bytes);
        }

        return new BlobCollection(removed, bytes, Ran: true);
    }

    /// <summary>The hashes rows name: asset rows (only those among <paramref name="among"/> when given) and every installed plugin version's files.</summary>
    private static async Task<HashSet<string>> ReferencedAsync(LabyrinthDb db, List<string>? among, CancellationToken ct)
    {
        var assets = among is null
            ? db.Assets.AsNoTracking().Select(a => a.Sha256)
            : db.Assets.AsNoTracking().Where(a => among.Contains(a.Sha256)).Select(a => a.Sha256);
        var referenced = new HashSet<string>(await assets.Distinct().ToListAsync(ct), StringComparer.Ordinal);
        foreach (var files in await db.PluginVersions.AsNoTracking().Select(v => v.FilesJson).ToListAsync(ct))
        {
            foreach (var file in JsonSerializer.Deserialize<List<StoredFile>>(files, JsonSerializerOptions.Web) ?? [])
            {
                referenced.Add(file.Sha256.ToLowerInvariant());
            }
        }

        return referenced;
    }

    private sealed class Pin(BlobCollector owner) : IAsyncDisposable
    {
        private int released;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                await owner.UnpinAsync();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Blob cleanup ({Reason}): removed {Count} blob(s) nothing references, {Bytes} bytes")]
    private static partial void LogCollected(ILogger logger, string reason, int count, long bytes);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Blob sweep skipped: another instance is sweeping or a write is in progress; the next sweep comes")]
    private static partial void LogSweepBusy(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Blob {Sha256} could not be removed; the next sweep tries again")]
    private static partial void LogRemoveFailed(ILogger logger, string sha256, Exception exception);
}

/// <summary>Runs <see cref="BlobCollector.SweepAsync"/> every <see cref="BlobSettings.SweepInterval"/> (on each instance; one at a time sweeps).</summary>
internal sealed partial class BlobSweeper(BlobCollector collector, IOptions<LabyrinthOptions> options, TimeProvider clock, ILogger<BlobSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.Blobs.SweepInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await collector.SweepAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogSweepFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Blob sweep failed; the next one tries again")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
