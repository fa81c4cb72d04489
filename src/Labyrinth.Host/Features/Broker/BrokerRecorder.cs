using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Labyrinth.Core.Errors;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Vault;
using Labyrinth.Host.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

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

/// <summary>The broker's bookkeeping limits (section <c>Labyrinth:Broker</c>).</summary>
internal sealed class BrokerOptions
{
    public const string Section = "Labyrinth:Broker";

    /// <summary>
    /// Brokered calls admitted whose network-log (and audit) rows are not committed yet, at most.
    /// A call beyond it is refused with 503 <c>broker.busy</c> before anything is sent upstream.
    /// </summary>
    public int MaxPendingRecords { get; set; } = 4096;

    /// <summary>How long a graceful stop waits, after the server stopped taking requests, for those rows to be committed.</summary>
    public int DrainSeconds { get; set; } = 15;

    /// <summary>
    /// How long the writer, woken by a call's rows, waits for more before it commits (unless a
    /// full batch is already queued or a stop begins). At a steady 200 calls/s this turns ~200
    /// transactions a second, each with its fsync, audit-head read and "last used" update, into
    /// ~50, which leaves the CPU to the calls themselves; 0 commits at once.
    /// </summary>
    public int BatchWindowMilliseconds { get; set; } = 20;
}

/// <summary>
/// Admission and queue for the broker's network-log rows and <c>secret.use</c> audit entries, which
/// are written off the request path in batches (<see cref="BrokerRecordWriter"/>).
/// <para>
/// Policy when the writer cannot keep up: every call takes a slot before it is checked or sent
/// upstream and gives it back only when its rows are committed. With all
/// <see cref="BrokerOptions.MaxPendingRecords"/> slots taken, new calls are refused at once (503
/// <c>broker.busy</c>, <c>Retry-After</c>) — not queued without bound (memory, and a backlog a stop
/// could not write in time) and never sent without a place for their audit row. A refused call has
/// used no secret, so it has nothing to audit; it is counted in the metrics.
/// </para>
/// </summary>
internal sealed partial class BrokerRecorder(IOptions<BrokerOptions> options, BrokerMetrics metrics, TimeProvider clock, ILogger<BrokerRecorder> logger)
{
    private static readonly TimeSpan BusyLogInterval = TimeSpan.FromSeconds(10);

    // Not SingleReader: that variant cannot count what is queued, which the batch window reads.
    private readonly Channel<BrokerRecord> channel = Channel.CreateUnbounded<BrokerRecord>();
    private readonly TaskCompletionSource drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource closing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeSpan window = TimeSpan.FromMilliseconds(Math.Max(0, options.Value.BatchWindowMilliseconds));
    private readonly int capacity = Math.Max(1, options.Value.MaxPendingRecords);
    private int pending;
    private int closed;
    private int refusedSinceLog;
    private long busyLoggedAt = long.MinValue;

    public ChannelReader<BrokerRecord> Reader => channel.Reader;

    /// <summary>Admitted calls whose rows are not committed yet.</summary>
    public int Pending => Volatile.Read(ref pending);

    /// <summary>Takes a slot for one call; false when the backlog is full or the host is stopping.</summary>
    public bool TryAdmit()
    {
        // Count first, then look at the limit and at Close: a Close that runs in between sees this
        // call as pending and waits for it.
        var now = Interlocked.Increment(ref pending);
        if (now <= capacity && Volatile.Read(ref closed) == 0)
        {
            metrics.Backlog(now);
            return true;
        }

        Committed(1);
        metrics.Busy();
        NoteRefusal();
        return false;
    }

    /// <summary>
    /// Waits until rows are queued, then up to <see cref="BrokerOptions.BatchWindowMilliseconds"/>
    /// for more to join them — not when <paramref name="full"/> rows are already waiting, and not
    /// once a stop has begun (the drain writes at once). False when the queue is completed and empty.
    /// </summary>
    public async ValueTask<bool> WaitForBatchAsync(int full, CancellationToken ct)
    {
        if (!await channel.Reader.WaitToReadAsync(ct))
        {
            return false;
        }

        if (window > TimeSpan.Zero && channel.Reader.Count < full && !closing.Task.IsCompleted)
        {
            using var linger = CancellationTokenSource.CreateLinkedTokenSource(ct);
            await Task.WhenAny(Task.Delay(window, clock, linger.Token), closing.Task);
            await linger.CancelAsync();
            ct.ThrowIfCancellationRequested();
        }

        return true;
    }

    /// <summary>Queues the rows of an admitted call (never waits). False only when the writer has already finished for good.</summary>
    public bool Record(BrokerRecord record) => channel.Writer.TryWrite(record);

    /// <summary>The writer committed the rows of <paramref name="count"/> calls.</summary>
    public void Committed(int count)
    {
        var left = Interlocked.Add(ref pending, -count);
        metrics.Backlog(left);
        if (left == 0 && Volatile.Read(ref closed) != 0)
        {
            drained.TrySetResult();
        }
    }

    /// <summary>Admits no more calls; true once every admitted call's rows are committed, false if that took longer than <paramref name="limit"/>.</summary>
    public async Task<bool> CloseAndDrainAsync(TimeSpan limit)
    {
        Volatile.Write(ref closed, 1);
        closing.TrySetResult();
        if (Volatile.Read(ref pending) == 0)
        {
            drained.TrySetResult();
        }

        try
        {
            await drained.Task.WaitAsync(limit);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>No more records: the writer's loop ends once the queue is empty.</summary>
    public void Complete()
    {
        closing.TrySetResult();
        channel.Writer.TryComplete();
    }

    // One warning per interval however many calls are refused, with how many.
    private void NoteRefusal()
    {
        Interlocked.Increment(ref refusedSinceLog);
        var now = clock.GetTimestamp();
        var last = Interlocked.Read(ref busyLoggedAt);
        if ((last == long.MinValue || clock.GetElapsedTime(last, now) >= BusyLogInterval) && Interlocked.CompareExchange(ref busyLoggedAt, now, last) == last)
        {
            LogBusy(logger, Interlocked.Exchange(ref refusedSinceLog, 0), Pending, capacity);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker refused {Refused} calls with 503 broker.busy: {Pending} admitted calls' network log / audit rows are not written yet (limit {Limit})")]
    private static partial void LogBusy(ILogger logger, int refused, int pending, int limit);
}

/// <summary>
/// The single writer of the broker's rows. Takes everything queued (up to <see cref="MaxBatch"/>
/// calls) and commits it in one transaction: the network-log rows, the <c>secret.use</c> entries
/// chained in order after the audit head, and each used secret's "last used" time — one fsync per
/// batch instead of one per call, so the writer keeps up with the broker and a backlog left by a
/// burst drains in a fraction of the time it took to build. When calls come one by one, the writer
/// gives the first a short window (<see cref="BrokerOptions.BatchWindowMilliseconds"/>) for others
/// to join it, so a steady trickle is committed a few calls at a time rather than one fsync'd
/// transaction per call competing with the calls for the CPU. The transaction goes through the
/// process-wide database write gate like every other writer.
/// <para>
/// Failures come in two kinds (<see cref="StorageErrors.IsDataRefused"/>). One the database will
/// get over (a full disk, a database locked by another process, a lost connection) keeps the batch
/// and retries it, never dropping it; meanwhile the backlog fills and new calls are refused
/// (<see cref="BrokerRecorder"/>). One where the database refuses a row's content (a NUL, a value a
/// constraint or trigger refuses) would fail the same way forever and hold every later call behind
/// it, so the batch is split in halves, in order, down to the refused call, whose rows are written
/// quarantined instead: every text escaped, the network-log row marked
/// <c>broker.record_quarantined</c>, and a <see cref="BrokerAuditActions.RecordQuarantined"/> audit
/// entry keeping the original values losslessly (base64). The chain stays in order and verifiable:
/// every piece is its own transaction appended after the head the previous one left.
/// </para>
/// <para>
/// A graceful stop: the server stops taking requests and finishes the ones in flight first (it
/// stops before the hosted services features add), then <see cref="StopAsync"/> waits up to
/// <see cref="BrokerOptions.DrainSeconds"/> for every admitted call's rows to be committed, on its
/// own clock rather than what is left of the host's shutdown timeout, so slow requests cannot use
/// up the time the audit needs.
/// </para>
/// </summary>
internal sealed partial class BrokerRecordWriter(
    BrokerRecorder recorder, IServiceScopeFactory scopes, BrokerMetrics metrics, IOptions<BrokerOptions> options, ILogger<BrokerRecordWriter> logger) : BackgroundService
{
    /// <summary>Calls per transaction, at most: bounds how long one batch holds the database's write gate.</summary>
    public const int MaxBatch = 256;

    /// <summary>Characters of one original value the quarantine entry keeps; a broker call's values are far shorter (a path is at most 300).</summary>
    private const int MaxOriginalLength = 8192;

    private readonly CancellationTokenSource abandon = new();

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        var limit = TimeSpan.FromSeconds(Math.Max(1, options.Value.DrainSeconds));
        if (!await recorder.CloseAndDrainAsync(limit))
        {
            LogDrainIncomplete(logger, recorder.Pending, limit.TotalSeconds);
            await abandon.CancelAsync();
        }

        recorder.Complete();
        if (ExecuteTask is { } loop)
        {
            await loop.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        abandon.Dispose();
        base.Dispose();
    }

    // Not driven by the host's stopping token: the loop runs until the queue is completed and
    // empty (StopAsync), or until the drain's time is up.
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var ct = abandon.Token;
        var batch = new List<BrokerRecord>(MaxBatch);
        var failures = 0;
        try
        {
            while (batch.Count > 0 || await recorder.WaitForBatchAsync(MaxBatch, ct))
            {
                while (batch.Count < MaxBatch && recorder.Reader.TryRead(out var next))
                {
                    batch.Add(next);
                }

                var written = new Progress();
                try
                {
                    await WriteInOrderAsync(batch, 0, batch.Count, written, ct);
                    batch.Clear();
                    failures = 0;
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    // What was committed before the failure is done; the rest is kept, in order.
                    batch.RemoveRange(0, written.Calls);
                    failures++;
                    if (StorageErrors.IsFull(ex))
                    {
                        LogStorageFull(logger, batch.Count);
                    }
                    else
                    {
                        LogWriteFailed(logger, batch.Count, ex.GetType().Name, ex.Message);
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 250 * (1 << Math.Min(failures - 1, 5)))), ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The drain's time ran out; StopAsync has logged how many calls' rows were not written.
        }
    }

    /// <summary>How many calls of the batch, from its start, are committed.</summary>
    private sealed class Progress
    {
        public int Calls;
    }

    // Writes batch[start, start + count) in one transaction; when the database refuses a row's
    // content, the first half and then the second, down to the one call whose rows it refuses,
    // which are quarantined. A failure of the other kind goes up to the retry loop, with every
    // call before it committed (and counted in progress).
    private async Task WriteInOrderAsync(List<BrokerRecord> batch, int start, int count, Progress progress, CancellationToken ct)
    {
        Exception refused;
        try
        {
            await WriteAsync(batch.GetRange(start, count), quarantine: null, ct);
            Committed(progress, count);
            return;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && StorageErrors.IsDataRefused(ex))
        {
            refused = ex;
        }

        if (count > 1)
        {
            var half = count / 2;
            await WriteInOrderAsync(batch, start, half, progress, ct);
            await WriteInOrderAsync(batch, start + half, count - half, progress, ct);
            return;
        }

        await QuarantineAsync(batch[start], StorageErrors.DataRefusalKind(refused), ct);
        Committed(progress, 1);
    }

    private void Committed(Progress progress, int calls)
    {
        progress.Calls += calls;
        recorder.Committed(calls);
    }

    // The call's rows with every text escaped, and an audit entry keeping the originals. Should
    // the database refuse even the escaped network-log row (a constraint on a number, a trigger),
    // the audit entries are written without it: the entry holds everything the row would have.
    // Should it refuse those too, the failure goes up and is retried like any other: nothing is
    // ever dropped, and the log says why it waits.
    private async Task QuarantineAsync(BrokerRecord record, string reason, CancellationToken ct)
    {
        var storable = Storable(record);
        var detail = QuarantineDetail(record, storable, reason);
        var networkLogWritten = true;
        try
        {
            await WriteAsync([storable], new Quarantine(detail, WithNetworkLog: true), ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && StorageErrors.IsDataRefused(ex))
        {
            networkLogWritten = false;
            detail["networkLogRow"] = "not written: " + StorageErrors.DataRefusalKind(ex);
            await WriteAsync([storable], new Quarantine(detail, WithNetworkLog: false), ct);
        }

        metrics.Quarantined(reason);
        LogQuarantined(logger, record.BoardId, storable.ServiceId, reason, networkLogWritten);
    }

    private static BrokerRecord Storable(BrokerRecord r) => r with
    {
        WindowId = AuditText.Storable(r.WindowId),
        Actor = AuditText.Storable(r.Actor),
        PluginId = AuditText.Storable(r.PluginId),
        TypeID = AuditText.Storable(r.TypeID),
        ServiceId = AuditText.Storable(r.ServiceId),
        Method = AuditText.Storable(r.Method),
        Path = AuditText.Storable(r.Path),
        Error = ErrorCodes.BrokerRecordQuarantined,
        SecretScope = AuditText.Storable(r.SecretScope),
        Handle = AuditText.Storable(r.Handle),
        Ms = double.IsFinite(r.Ms) ? r.Ms : -1,
    };

    // Only storable text (and the JSON escapes anything beyond ASCII): whatever the database
    // refused stays out of this entry except as base64. The values are what the network log holds anyway (a path without its query, no
    // header, no body, no secret).
    private static Dictionary<string, object?> QuarantineDetail(BrokerRecord original, BrokerRecord storable, string reason)
    {
        var originals = new Dictionary<string, object?>(StringComparer.Ordinal);
        void Keep(string field, string? value, string? escaped)
        {
            if (value is not null && !string.Equals(value, escaped, StringComparison.Ordinal))
            {
                originals[field] = value.Length <= MaxOriginalLength
                    ? AuditText.Encode(value)
                    : new Dictionary<string, object?> { ["utf16Base64"] = AuditText.Encode(value[..MaxOriginalLength]), ["length"] = value.Length };
            }
        }

        Keep("windowId", original.WindowId, storable.WindowId);
        Keep("actor", original.Actor, storable.Actor);
        Keep("pluginId", original.PluginId, storable.PluginId);
        Keep("typeID", original.TypeID, storable.TypeID);
        Keep("serviceId", original.ServiceId, storable.ServiceId);
        Keep("method", original.Method, storable.Method);
        Keep("path", original.Path, storable.Path);
        Keep("error", original.Error, AuditText.Storable(original.Error));
        Keep("scope", original.SecretScope, storable.SecretScope);
        Keep("handle", original.Handle, storable.Handle);
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["reason"] = reason,
            ["networkLogRow"] = "escaped",
            ["at"] = storable.At,
            ["boardId"] = storable.BoardId,
            ["windowId"] = storable.WindowId,
            ["userId"] = storable.UserId,
            ["pluginId"] = storable.PluginId,
            ["serviceId"] = storable.ServiceId,
            ["method"] = storable.Method,
            ["path"] = storable.Path,
            ["status"] = storable.Status,
            ["error"] = AuditText.Storable(original.Error),
            ["requestBytes"] = storable.RequestBytes,
            ["responseBytes"] = storable.ResponseBytes,
            ["ms"] = storable.Ms,
            ["secretId"] = storable.SecretId,
            ["originalUtf16Base64"] = originals,
        };
    }

    /// <summary>
    /// A <c>secret.use</c> entry's detail (docs/api.md): <c>quarantined</c> appears only on the entry of
    /// a call written quarantined, so every other entry keeps the shape it always had.
    /// </summary>
    private sealed record SecretUseDetail(
        string ServiceId, Guid BoardId, string WindowId, string PluginId, string TypeID, string? Handle, Guid? SecretId,
        string? Scope, string Method, string Path, int Status, string? Error,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Quarantined);

    /// <summary>The audit entry of a quarantined call, written before its <c>secret.use</c> entry.</summary>
    private sealed record Quarantine(Dictionary<string, object?> Detail, bool WithNetworkLog);

    private async Task WriteAsync(List<BrokerRecord> batch, Quarantine? quarantine, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();

        // Insert-only: there is nothing for the change tracker to detect.
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var drafts = new List<AuditDraft>();
        var lastUsed = new Dictionary<Guid, DateTime>();
        foreach (var r in batch)
        {
            if (quarantine is null || quarantine.WithNetworkLog)
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
            }

            if (quarantine is not null)
            {
                drafts.Add(new AuditDraft(r.At, r.Actor, BrokerAuditActions.RecordQuarantined, r.PluginId, Json(quarantine.Detail)));
            }

            if (r.SecretId is { } secretId)
            {
                lastUsed[secretId] = lastUsed.TryGetValue(secretId, out var seen) && seen > r.At ? seen : r.At;
                drafts.Add(new AuditDraft(r.At, r.Actor, VaultAuditActions.Use, r.PluginId, Json(new SecretUseDetail(
                    r.ServiceId, r.BoardId, r.WindowId, r.PluginId, r.TypeID, r.Handle, r.SecretId, r.SecretScope, r.Method, r.Path, r.Status, r.Error,
                    Quarantined: quarantine is not null))));
            }
        }

        // One "last used" update per secret per batch, not one per request.
        await audit.AppendManyAsync(drafts, async token =>
        {
            foreach (var (secretId, at) in lastUsed)
            {
                await db.Secrets.Where(s => s.Id == secretId).ExecuteUpdateAsync(u => u.SetProperty(s => s.LastUsedAt, at), token);
            }
        }, ct);
    }

    // A value the serializer cannot write (an unpaired surrogate, with some encoders) is a refusal
    // of this row's content like the database's own, not a reason to retry the batch forever.
    private static string Json<T>(T detail)
    {
        try
        {
            return JsonSerializer.Serialize(detail, JsonSerializerOptions.Web);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            throw new System.Text.EncoderFallbackException("An audit detail could not be written as JSON.", ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write the network log / audit rows of {Count} broker calls: the disk holding the database is full; free space there (kept, retrying)")]
    private static partial void LogStorageFull(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write the network log / audit rows of {Count} broker calls ({ExceptionType}: {Reason}); kept, retrying")]
    private static partial void LogWriteFailed(ILogger logger, int count, string exceptionType, string reason);

    // Ids and the engine's code only: the refused values may carry anything a card sent.
    [LoggerMessage(Level = LogLevel.Warning, Message = "The database refused the network log / audit rows of one broker call on board {BoardId} to service {ServiceId} ({Reason}); written quarantined (network-log row written: {NetworkLogWritten}), originals in the audit entry broker.record_quarantined")]
    private static partial void LogQuarantined(ILogger logger, Guid boardId, string serviceId, string reason, bool networkLogWritten);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Stopping: the network log / audit rows of {Count} broker calls were not written within {Seconds} s and are lost")]
    private static partial void LogDrainIncomplete(ILogger logger, int count, double seconds);
}

/// <summary>The broker's own audit action names (docs/api.md); stable, clients filter on them.</summary>
[AuditActionCatalogue]
internal static class BrokerAuditActions
{
    /// <summary>The database refused a broker call's rows as they were; they were written escaped, the originals kept here.</summary>
    public const string RecordQuarantined = "broker.record_quarantined";
}
