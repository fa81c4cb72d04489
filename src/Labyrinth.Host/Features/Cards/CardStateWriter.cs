using System.Threading.Channels;
using Labyrinth.Host.Data;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Cards;

/// <summary>One card-state write waiting for its turn: null version = not a card on a board of the owner's.</summary>
internal sealed record CardStateWrite(Guid BoardId, string WindowId, Guid OwnerId, string PayloadJson, DateTime At)
{
    public TaskCompletionSource<long?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Group commit for card state, the host's most frequent write. Requests queue their upsert; one
/// loop takes everything queued, writes it in one transaction (one fsync with synchronous=FULL)
/// and acknowledges each request only after the commit, with the version its own statement
/// returned. While one batch commits the next one gathers, so under many writers the disk's sync
/// rate no longer caps the write rate, and a lone writer waits for no one (there is no timer).
/// When the loop is idle, the request that wakes it runs the commit on its own thread (the
/// channel continues the loop synchronously), so a lone writer's request never waits for the
/// thread pool to schedule the loop and then itself again; the loop then yields, so that request
/// answers at once and later batches run on the pool.
/// </summary>
internal sealed partial class CardStateWriter(IServiceScopeFactory scopes, ILogger<CardStateWriter> logger) : BackgroundService
{
    public const int MaxBatch = 64;

    private readonly Channel<CardStateWrite> queue = Channel.CreateUnbounded<CardStateWrite>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });

    /// <summary>Stores the state; the new version, or null when the window is not a card on a board of <see cref="CardStateWrite.OwnerId"/>.</summary>
    public async Task<long?> WriteAsync(CardStateWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (!queue.Writer.TryWrite(write))
        {
            throw new InvalidOperationException("The host is shutting down; the card state was not saved.");
        }

        return await write.Done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<CardStateWrite>(MaxBatch);
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && queue.Reader.TryRead(out var next))
                {
                    batch.Add(next);
                }

                await CommitAsync(batch);
                batch.Clear();
                // Hand the loop back to the pool: the request that woke it has its answer.
                await Task.Yield();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            queue.Writer.TryComplete();
            while (queue.Reader.TryRead(out var left))
            {
                batch.Add(left);
            }

            if (batch.Count > 0)
            {
                await CommitAsync(batch);
            }
        }
    }

    private async Task CommitAsync(List<CardStateWrite> batch)
    {
        var versions = new long?[batch.Count];
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
            // Identifiers are quoted: PostgreSQL folds unquoted names to lower case, SQLite takes either.
            await using (var tx = await db.Database.BeginTransactionAsync(CancellationToken.None))
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    var w = batch[i];
                    var returned = await db.Database.SqlQuery<long>($"""
                        INSERT INTO "CardPayloads" ("BoardId", "WindowId", "PayloadJson", "Version", "UpdatedAt")
                        SELECT {w.BoardId}, {w.WindowId}, {w.PayloadJson}, 1, {w.At}
                        WHERE EXISTS (SELECT 1 FROM "CardWindows" AS c JOIN "Boards" AS b ON b."Id" = c."BoardId"
                                      WHERE c."BoardId" = {w.BoardId} AND c."WindowId" = {w.WindowId} AND b."OwnerId" = {w.OwnerId})
                        ON CONFLICT ("BoardId", "WindowId") DO UPDATE
                            SET "PayloadJson" = excluded."PayloadJson", "Version" = "CardPayloads"."Version" + 1, "UpdatedAt" = excluded."UpdatedAt"
                        RETURNING "Version" AS "Value"
                        """).ToListAsync(CancellationToken.None);
                    versions[i] = returned.Count == 1 ? returned[0] : null;
                }

                await tx.CommitAsync(CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            // Nothing of the batch was committed: every writer hears the same failure (a full disk
            // becomes 507 storage.full for each of them).
            LogBatchFailed(logger, batch.Count, ex.GetType().Name);
            foreach (var w in batch)
            {
                w.Done.TrySetException(ex);
            }

            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Done.TrySetResult(versions[i]);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} card state writes was not saved ({ExceptionType})")]
    private static partial void LogBatchFailed(ILogger logger, int count, string exceptionType);
}
