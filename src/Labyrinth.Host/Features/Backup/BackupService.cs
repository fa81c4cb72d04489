using System.Reflection;
using System.Text.Json;
using Labyrinth.Backup;
using Labyrinth.Backup.Database;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Features.Backup;

/// <summary>The audit action names for backups (docs/api.md).</summary>
[Audit.AuditActionCatalogue]
internal static class BackupAuditActions
{
    /// <summary>An admin started downloading a backup: it holds every secret in decryptable form, so who took one is recorded before the first byte.</summary>
    public const string Download = "backup.download";

    /// <summary>A scheduled backup was written to the backup directory.</summary>
    public const string Create = "backup.create";

    public const string Failed = "backup.failed";
}

/// <summary>
/// Keeps what a snapshot references in place while the host itself takes a backup: plugin
/// versions cannot be installed, replaced or removed between the snapshot and the staging of
/// their files (the governance gate, held for seconds), and File Registry files are not deleted
/// until the backup ends (their deletions are replayed afterwards, if still unreferenced).
/// </summary>
internal sealed class HostBackupGuard(GovernanceGate governance, BlobCollector blobs) : IBackupGuard
{
    public async Task<IAsyncDisposable> EnterSnapshotAsync(CancellationToken ct)
    {
        await governance.Gate.WaitAsync(ct);
        return new Release(() =>
        {
            governance.Gate.Release();
            return ValueTask.CompletedTask;
        });
    }

    public Task<IAsyncDisposable> PinBlobsAsync(CancellationToken ct) => blobs.PinAsync(ct);

    private sealed class Release(Func<ValueTask> release) : IAsyncDisposable
    {
        private int released;

        public ValueTask DisposeAsync() => Interlocked.Exchange(ref released, 1) == 0 ? release() : ValueTask.CompletedTask;
    }
}

/// <summary>When the last backup was taken, by which route, and how large it was (host setting <c>backup.last</c>).</summary>
internal sealed record LastBackup(DateTime At, string Kind, long Bytes, string? By, string? FileName, string AuditHead);

internal sealed record BackupFailure(DateTime At, string Message);

internal sealed record BackupFile(string Name, long Bytes, DateTime At);

/// <summary>
/// The host's backups: streamed downloads for admins and the schedule. Both go through the one
/// writer in Labyrinth.Backup, the same code as <c>labyrinth backup create</c>.
/// </summary>
internal sealed partial class BackupService(
    HostPaths paths, IOptions<BackupOptions> options, HostBackupGuard guard, IServiceScopeFactory scopes, TimeProvider clock, ILogger<BackupService> logger)
{
    public const string LastBackupSetting = "backup.last";
    public const string KindDownload = "download";
    public const string KindScheduled = "scheduled";

    private static readonly string CreatedBy = "labyrinth-host " +
        (typeof(BackupService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0").Split('+')[0];

    private volatile BackupFailure? lastFailure;

    public DateTimeOffset StartedAt { get; } = clock.GetUtcNow();

    public BackupOptions Options => options.Value;

    public BackupFailure? LastFailure => lastFailure;

    /// <summary>The scheduled backups' folder, absolute; null without a schedule.</summary>
    public string? Directory => Options.IsScheduled && !string.IsNullOrWhiteSpace(Options.Directory) ? paths.Resolve(Options.Directory) : null;

    public string DownloadFileName() => BackupFormat.FileName(clock.GetUtcNow());

    /// <summary>Streams a backup into <paramref name="output"/>; the snapshot and staged plugin files live under the data directory meanwhile.</summary>
    public async Task<BackupResult> WriteAsync(Stream output, string actor, CancellationToken ct)
    {
        var result = await BackupWriter.WriteAsync(Source(), output, paths.DataDir, ct);
        await RecordAsync(new LastBackup(result.Manifest.CreatedAt.UtcDateTime, KindDownload, result.ArchiveBytes, actor, null, result.Manifest.Audit.Head), ct);
        LogDownloaded(logger, actor, result.ArchiveBytes);
        return result;
    }

    /// <summary>Writes one scheduled backup, applies retention, audits the outcome; never throws for a failed backup.</summary>
    public async Task<BackupResult?> RunScheduledAsync(CancellationToken ct)
    {
        var directory = Directory ?? throw new InvalidOperationException("No backup schedule is set.");
        var name = BackupFormat.FileName(clock.GetUtcNow());
        var path = Path.Combine(directory, name);
        try
        {
            var result = await BackupFiles.CreateAsync(Source(), path, message => LogRetrying(logger, message), ct);
            lastFailure = null;
            var removed = ApplyRetention(directory);
            await RecordAsync(new LastBackup(result.Manifest.CreatedAt.UtcDateTime, KindScheduled, result.ArchiveBytes, AuditActions.SystemActor, name, result.Manifest.Audit.Head), ct);
            await AuditAsync(BackupAuditActions.Create, new
            {
                file = name,
                bytes = result.ArchiveBytes,
                blobs = result.Manifest.Counts.Blobs,
                auditEntries = result.Manifest.Audit.Entries,
                auditHead = result.Manifest.Audit.Head,
                removed,
            }, ct);
            LogScheduled(logger, path, result.ArchiveBytes, removed.Length);
            return result;
        }
        catch (Exception ex) when (ex is BackupException or IOException or UnauthorizedAccessException)
        {
            await FailedAsync(KindScheduled, ex, CancellationToken.None);
            return null;
        }
    }

    /// <summary>Records a failed backup: logged, audited, and shown to admins and /healthz until the next success.</summary>
    public async Task FailedAsync(string kind, Exception error, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(error);
        var message = error.Message;
        lastFailure = new BackupFailure(clock.GetUtcNow().UtcDateTime, message);
        LogFailed(logger, kind, message, error);
        try
        {
            await AuditAsync(BackupAuditActions.Failed, new { kind, reason = message }, ct);
        }
        catch (Exception ex) when (ex is DbUpdateException or IOException or InvalidOperationException)
        {
            LogAuditFailed(logger, ex);
        }
    }

    /// <summary>
    /// Removes what a download interrupted by a crash left in the data directory (its private staging
    /// folder holds a database copy). Only this host stages there, and at start none of its backups runs.
    /// </summary>
    public void RemoveLeftovers()
    {
        if (!System.IO.Directory.Exists(paths.DataDir))
        {
            return;
        }

        foreach (var leftover in System.IO.Directory.EnumerateDirectories(paths.DataDir, BackupWriter.StagingPrefix + "*"))
        {
            PluginStore.DeleteQuietly(leftover);
        }
    }

    /// <summary>Scheduled backups in the directory, newest first: only files named as this host names them.</summary>
    public IReadOnlyList<BackupFile> ScheduledFiles()
    {
        var directory = Directory;
        if (directory is null || !System.IO.Directory.Exists(directory))
        {
            return [];
        }

        try
        {
            return System.IO.Directory.EnumerateFiles(directory, BackupFormat.FileNamePrefix + "*" + BackupFormat.FileNameExtension)
                .Select(path => (Path: path, At: BackupFormat.TimeFromFileName(Path.GetFileName(path))))
                .Where(f => f.At is not null)
                .OrderByDescending(f => f.At)
                .Select(f => new BackupFile(Path.GetFileName(f.Path), new FileInfo(f.Path).Length, f.At!.Value.UtcDateTime))
                .ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The schedule reports the failure when it next writes there; listing must not stop the host.
            return [];
        }
    }

    public DateTimeOffset? LastScheduledSuccess => ScheduledFiles() is [var newest, ..] ? new DateTimeOffset(newest.At, TimeSpan.Zero) : null;

    public async Task<LastBackup?> LastAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        var row = await db.HostSettings.AsNoTracking().SingleOrDefaultAsync(s => s.Key == LastBackupSetting, ct);
        try
        {
            return row is null ? null : JsonSerializer.Deserialize<LastBackup>(row.Value, JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private BackupSource Source() => new(paths.DataDir, new SqliteBackupDatabase(paths.DatabaseFile), CreatedBy) { Guard = guard, Clock = clock };

    /// <summary>Keeps the newest <see cref="BackupOptions.Keep"/> scheduled backups; never touches a file it did not name.</summary>
    private string[] ApplyRetention(string directory)
    {
        var removed = new List<string>();
        foreach (var file in ScheduledFiles().Skip(Math.Max(1, Options.Keep)))
        {
            try
            {
                File.Delete(Path.Combine(directory, file.Name));
                removed.Add(file.Name);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogRetentionFailed(logger, file.Name, ex.Message);
            }
        }

        return [.. removed];
    }

    private async Task RecordAsync(LastBackup last, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        var value = JsonSerializer.Serialize(last, JsonSerializerOptions.Web);
        var row = await db.HostSettings.SingleOrDefaultAsync(s => s.Key == LastBackupSetting, ct);
        if (row is null)
        {
            db.HostSettings.Add(new HostSettingEntity { Key = LastBackupSetting, Value = value, UpdatedAt = last.At });
        }
        else
        {
            row.Value = value;
            row.UpdatedAt = last.At;
        }

        await db.SaveChangesAsync(ct);
    }

    private async Task AuditAsync(string action, object detail, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AuditLog>().AppendAsync(AuditActions.SystemActor, action, null, detail, ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup downloaded by {Actor} ({Bytes} bytes)")]
    private static partial void LogDownloaded(ILogger logger, string actor, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled backup written to {Path} ({Bytes} bytes); {Removed} old backup(s) removed")]
    private static partial void LogScheduled(ILogger logger, string path, long bytes, int removed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup: {Message}")]
    private static partial void LogRetrying(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Backup ({Kind}) failed: {Message}")]
    private static partial void LogFailed(ILogger logger, string kind, string message, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not audit a failed backup")]
    private static partial void LogAuditFailed(ILogger logger, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove the old backup {File}: {Message}")]
    private static partial void LogRetentionFailed(ILogger logger, string file, string message);
}
