using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Labyrinth.Host.Data;
using Labyrinth.Host.Infrastructure;
using Microsoft.Data.Sqlite;
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
/// thread pool to schedule the loop and then itself again; the loop then suspends until the next
/// write, or, when more writes queued meanwhile, yields, so that request answers at once and later
/// batches run on the pool.
/// <para>
/// On SQLite the statement is prepared once on a connection this loop keeps (the loop is the only
/// user, one batch at a time), and takes the process's write gate like every EF write does: EF's
/// raw-SQL query pipeline (parameter extraction, a command rented and built, a pooled connection
/// opened and reset) cost more of a lone writer's request than the upsert itself. On PostgreSQL
/// the batch goes through EF as before (a network round trip dwarfs that cost there).
/// </para>
/// </summary>
internal sealed partial class CardStateWriter(
    IServiceScopeFactory scopes, DatabaseEngine engine, HostPaths paths, IServiceProvider services, ILogger<CardStateWriter> logger) : BackgroundService
{
    public const int MaxBatch = 64;

    // One statement for both engines ({0} board, {1} window, {2} payload, {3} at, {4} owner), so the
    // ownership check cannot drift between them. Identifiers are quoted: PostgreSQL folds unquoted
    // names to lower case, SQLite takes either. The window must still be a card on a board of the
    // writer's (the card filter checked it; a layout save may have removed it since), checked in the
    // same statement as the write.
    private const string UpsertSqlFormat = """
        INSERT INTO "CardPayloads" ("BoardId", "WindowId", "PayloadJson", "Version", "UpdatedAt")
        SELECT {0}, {1}, {2}, 1, {3}
        WHERE EXISTS (SELECT 1 FROM "CardWindows" AS c JOIN "Boards" AS b ON b."Id" = c."BoardId"
                      WHERE c."BoardId" = {0} AND c."WindowId" = {1} AND b."OwnerId" = {4})
        ON CONFLICT ("BoardId", "WindowId") DO UPDATE
            SET "PayloadJson" = excluded."PayloadJson", "Version" = "CardPayloads"."Version" + 1, "UpdatedAt" = excluded."UpdatedAt"
        RETURNING "Version" AS "Value"
        """;

#pragma warning disable CA1863 // formatted once, when the type initialises
    private static readonly string SqliteUpsertSql =
        string.Format(CultureInfo.InvariantCulture, UpsertSqlFormat, "$board", "$window", "$payload", "$at", "$owner");
#pragma warning restore CA1863

    private SqliteUpsert? sqlite;

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
        // A write taken while deciding whether to yield: it heads the next batch.
        CardStateWrite? carried = null;
        try
        {
            while (carried is not null || await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                if (carried is not null)
                {
                    batch.Add(carried);
                    carried = null;
                }

                while (batch.Count < MaxBatch && queue.Reader.TryRead(out var next))
                {
                    batch.Add(next);
                }

                await CommitAsync(batch);
                batch.Clear();
                // More queued while this batch committed: hand the loop to the pool, so the request
                // that woke it answers now rather than after the next batch too. Nothing queued: the
                // wait above suspends the loop and that request goes on without a thread-pool worker
                // woken for nothing (waking one was a lone writer's largest cost in this loop).
                if (queue.Reader.TryRead(out var waiting))
                {
                    carried = waiting;
                    await Task.Yield();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            queue.Writer.TryComplete();
            if (carried is not null)
            {
                batch.Add(carried);
            }

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
            if (engine.IsPostgres)
            {
                await CommitWithEfAsync(batch, versions);
            }
            else
            {
                await CommitSqliteAsync(batch, versions);
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

    private async Task CommitWithEfAsync(List<CardStateWrite> batch, long?[] versions)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
        for (var i = 0; i < batch.Count; i++)
        {
            var w = batch[i];
            // Each argument becomes a parameter, as an interpolated string's holes would.
            var returned = await db.Database
                .SqlQuery<long>(FormattableStringFactory.Create(UpsertSqlFormat, w.BoardId, w.WindowId, w.PayloadJson, w.At, w.OwnerId))
                .ToListAsync(CancellationToken.None);
            versions[i] = returned.Count == 1 ? returned[0] : null;
        }

        await tx.CommitAsync(CancellationToken.None);
    }

    private async Task CommitSqliteAsync(List<CardStateWrite> batch, long?[] versions)
    {
        var gate = services.GetRequiredService<SqliteWriteGate>();
        await gate.EnterAsync(CancellationToken.None);
        try
        {
            var upsert = sqlite ??= SqliteUpsert.Open(paths.DatabaseFile, services.GetRequiredService<SqliteWriteInterceptor>());
            try
            {
                // BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default): the write lock from the start.
                using var tx = upsert.Connection.BeginTransaction();
                upsert.Command.Transaction = tx;
                for (var i = 0; i < batch.Count; i++)
                {
                    versions[i] = upsert.Run(batch[i]);
                }

                tx.Commit();
            }
            catch
            {
                // A failed statement or commit may leave the connection in any state: the next
                // batch starts on a new one.
                sqlite = null;
                upsert.Dispose();
                throw;
            }
        }
        finally
        {
            gate.Exit();
        }
    }

    public override void Dispose()
    {
        sqlite?.Dispose();
        sqlite = null;
        base.Dispose();
    }

    /// <summary>The writer loop's own connection and its prepared upsert.</summary>
    private sealed class SqliteUpsert : IDisposable
    {
        private readonly SqliteParameter board;
        private readonly SqliteParameter window;
        private readonly SqliteParameter payload;
        private readonly SqliteParameter at;
        private readonly SqliteParameter owner;

        private SqliteUpsert(SqliteConnection connection)
        {
            Connection = connection;
            Command = connection.CreateCommand();
            Command.CommandText = SqliteUpsertSql;
            // Bound as EF Core's SQLite provider stores them (TEXT; a Guid upper-case, a DateTime
            // as yyyy-MM-dd HH:mm:ss.FFFFFFF), so the EXISTS check compares like with like.
            board = Command.Parameters.Add("$board", SqliteType.Text);
            window = Command.Parameters.Add("$window", SqliteType.Text);
            payload = Command.Parameters.Add("$payload", SqliteType.Text);
            at = Command.Parameters.Add("$at", SqliteType.Text);
            owner = Command.Parameters.Add("$owner", SqliteType.Text);
        }

        public SqliteConnection Connection { get; }

        public SqliteCommand Command { get; }

        public static SqliteUpsert Open(string file, SqliteWriteInterceptor setup)
        {
            var connection = new SqliteConnection($"Data Source={file};Pooling=False");
            try
            {
                connection.Open();
                setup.Configure(connection);
                var upsert = new SqliteUpsert(connection);
                upsert.Command.Prepare();
                return upsert;
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        public long? Run(CardStateWrite write)
        {
            board.Value = write.BoardId;
            window.Value = write.WindowId;
            payload.Value = write.PayloadJson;
            at.Value = write.At;
            owner.Value = write.OwnerId;
            return Command.ExecuteScalar() is long version ? version : null;
        }

        public void Dispose()
        {
            Command.Dispose();
            Connection.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} card state writes was not saved ({ExceptionType})")]
    private static partial void LogBatchFailed(ILogger logger, int count, string exceptionType);
}
