using System.Threading.Channels;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Vault;
using Labyrinth.Host.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Broker;

/// <summary>One brokered request as it is recorded: no body, no query, no header values, no secret.</summary>
internal sealed record BrokerRecord(
    DateTime At,
    Guid BoardId,
    string WindowId,
    Guid UserId,
    string Actor,
    string PluginId,
    string TypeID,
    string ServiceId,
    string Method,
    string Path,
    int Status,
    long RequestBytes,
    long ResponseBytes,
    double Ms,
    string? Error,
    Guid? SecretId,
    string? SecretScope,
    string? Handle);

/// <summary>
/// Queues network log rows and <c>secret.use</c> audit entries so the database writes happen off
/// the request path (the answer is not held up by SQLite commits and the audit chain's lock).
/// Bounded: when the writer falls behind, requests wait rather than records being dropped.
/// </summary>
internal sealed class BrokerRecorder
{
    private readonly Channel<BrokerRecord> channel = Channel.CreateBounded<BrokerRecord>(new BoundedChannelOptions(10_000)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    public ChannelReader<BrokerRecord> Reader => channel.Reader;

    public ValueTask RecordAsync(BrokerRecord record) => channel.Writer.WriteAsync(record, CancellationToken.None);

    public void Complete() => channel.Writer.TryComplete();
}

internal sealed partial class BrokerRecordWriter(BrokerRecorder recorder, IServiceScopeFactory scopes, ILogger<BrokerRecordWriter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await recorder.Reader.WaitToReadAsync(stoppingToken))
            {
                await WriteBatchAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: write what is queued so no audit entry is lost.
            await WriteBatchAsync(CancellationToken.None);
        }
    }

    private async Task WriteBatchAsync(CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
            var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
            var pending = false;

            // One "last used" update per secret per batch, not one per request.
            var lastUsed = new Dictionary<Guid, DateTime>();
            while (recorder.Reader.TryRead(out var r))
            {
                db.NetworkLog.Add(new NetworkLogEntity
                {
                    AtUtc = r.At,
                    BoardId = r.BoardId,
                    WindowId = r.WindowId,
                    UserId = r.UserId,
                    ServiceId = r.ServiceId,
                    Method = r.Method,
                    Path = r.Path,
                    Status = r.Status,
                    RequestBytes = r.RequestBytes,
                    ResponseBytes = r.ResponseBytes,
                    DurationMs = r.Ms,
                    Error = r.Error,
                });
                pending = true;
                if (r.SecretId is { } secretId)
                {
                    lastUsed[secretId] = r.At;

                    // AppendAsync saves every pending change (the log rows) in the same transaction.
                    await audit.AppendAsync(r.Actor, VaultAuditActions.Use, r.PluginId, new
                    {
                        serviceId = r.ServiceId,
                        boardId = r.BoardId,
                        windowId = r.WindowId,
                        pluginId = r.PluginId,
                        typeID = r.TypeID,
                        handle = r.Handle,
                        secretId = r.SecretId,
                        scope = r.SecretScope,
                        method = r.Method,
                        path = r.Path,
                        status = r.Status,
                        error = r.Error,
                    }, ct);
                    pending = false;
                }
            }

            if (pending)
            {
                await db.SaveChangesAsync(ct);
            }

            foreach (var (secretId, at) in lastUsed)
            {
                await db.Secrets.Where(s => s.Id == secretId).ExecuteUpdateAsync(u => u.SetProperty(s => s.LastUsedAt, at), ct);
            }
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            if (StorageErrors.IsFull(ex))
            {
                LogStorageFull(logger);
            }
            else
            {
                LogWriteFailed(logger, ex.GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write broker network log / audit rows: the disk holding the database is full; free space there")]
    private static partial void LogStorageFull(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write broker network log / audit rows ({ExceptionType})")]
    private static partial void LogWriteFailed(ILogger logger, string exceptionType);
}
