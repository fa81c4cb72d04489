using Labyrinth.Host.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Labyrinth.Host.Data;

/// <summary>What the two epoch counters read at one instant: accounts (<c>AccountEpoch</c>) and cards (<c>CardEpoch</c>).</summary>
internal readonly record struct DataEpoch(long Accounts, long Cards);

/// <summary>
/// The one contract by which an instance may keep something read from the database in memory:
/// a one-row counter per kind of data, moved by database triggers in the same transaction as every
/// write that could change what is kept, whoever the writer is (this host, another instance, the
/// CLI, an operator's <c>sqlite3</c> or <c>psql</c>). A cached value is used only while its counter
/// still reads what it read just before the value was loaded, so once a change is committed (and
/// therefore before it is acknowledged to whoever made it) no instance uses the old value again.
/// <list type="bullet">
/// <item><c>AccountEpoch</c>: every write to <c>Users</c> and every sign-out (the session cache).</item>
/// <item><c>CardEpoch</c>: every write to <c>CardWindows</c> and every update or delete of a board
/// (the card lookup every per-card request makes: which plugin window it is, on whose board).</item>
/// </list>
/// <para>
/// Both are read in one statement on a connection of their own, with no EF Core context: on
/// SQLite a prepared statement on one long-lived connection (no I/O beyond the WAL index), on
/// PostgreSQL a round trip of one row. A request reads them once (<see cref="ForRequestAsync"/>)
/// and every cache it consults compares against that one reading. When they cannot be read (a
/// schema from before the counters, a trigger dropped by a table rebuild, a connection error),
/// nothing is cached: every request reads the database, as before. No Redis or messages: pub/sub
/// is asynchronous and lossy, so it could only ever shorten a stale window, never close it.
/// </para>
/// </summary>
internal sealed partial class DataEpochs(DatabaseEngine engine, HostPaths paths, ILogger<DataEpochs> logger) : IDisposable
{
    private const string EpochSql = "SELECT a.\"Value\", c.\"Value\" FROM \"AccountEpoch\" AS a, \"CardEpoch\" AS c WHERE a.\"Id\" = 1 AND c.\"Id\" = 1";

    // SQLite drops a table's triggers with it, and EF rebuilds a table to alter a column: a later
    // migration could silently remove them, and a counter nobody bumps would keep stale values
    // forever. So the caches are used only while every trigger is there (checked when connecting).
    private static readonly string[] SqliteTriggers =
    [
        "Users_AccountEpoch_Insert", "Users_AccountEpoch_Update", "Users_AccountEpoch_Delete", "RevokedSessions_AccountEpoch_Insert",
        "CardWindows_CardEpoch_Insert", "CardWindows_CardEpoch_Update", "CardWindows_CardEpoch_Delete", "Boards_CardEpoch_Update", "Boards_CardEpoch_Delete",
    ];

    private static readonly string[] PostgresTriggers = ["Users_AccountEpoch", "RevokedSessions_AccountEpoch", "CardWindows_CardEpoch", "Boards_CardEpoch"];

    private static readonly string SqliteTriggersSql =
        $"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ({string.Join(", ", SqliteTriggers.Select(t => $"'{t}'"))})";

    private static readonly string PostgresTriggersSql =
        $"SELECT count(*) FROM pg_trigger WHERE tgname IN ({string.Join(", ", PostgresTriggers.Select(t => $"'{t}'"))}) AND tgenabled <> 'D'";

    private readonly Lock sqliteGate = new();
    private SqliteConnection? sqlite;
    private SqliteCommand? sqliteEpoch;
    private NpgsqlDataSource? postgres;
    private int warned;
    private volatile bool triggersMissing;

    /// <summary>The counters as this request first read them (read now if nobody in the request has), or null when they cannot be read.</summary>
    public async ValueTask<DataEpoch?> ForRequestAsync(HttpContext http, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.Features.Get<RequestEpoch>() is { } read)
        {
            return read.Epoch;
        }

        var epoch = await ReadAsync(ct);
        http.Features.Set(new RequestEpoch(epoch));
        return epoch;
    }

    /// <summary>The counters now, or null when they cannot be read (then nothing may be cached).</summary>
    public ValueTask<DataEpoch?> ReadAsync(CancellationToken ct) =>
        triggersMissing ? ValueTask.FromResult<DataEpoch?>(null)
        : engine.IsPostgres ? ReadPostgresAsync(ct)
        : ValueTask.FromResult(ReadSqlite());

    private DataEpoch? ReadSqlite()
    {
        lock (sqliteGate)
        {
            try
            {
                if (sqliteEpoch is null)
                {
                    // Its own connection, outside the pool: a pooled one would be reset and
                    // re-prepared on every rent, which is what this check exists to avoid.
                    sqlite = new SqliteConnection($"Data Source={paths.DatabaseFile};Pooling=False");
                    sqlite.Open();
                    using (var triggers = sqlite.CreateCommand())
                    {
                        triggers.CommandText = SqliteTriggersSql;
                        if ((long)triggers.ExecuteScalar()! != SqliteTriggers.Length)
                        {
                            triggersMissing = true;
                            WarnOnce("the triggers that bump AccountEpoch and CardEpoch are missing");
                            sqlite.Dispose();
                            sqlite = null;
                            return null;
                        }
                    }

                    sqliteEpoch = sqlite.CreateCommand();
                    sqliteEpoch.CommandText = EpochSql;
                    sqliteEpoch.Prepare();
                }

                using var reader = sqliteEpoch.ExecuteReader();
                return reader.Read() ? new DataEpoch(reader.GetInt64(0), reader.GetInt64(1)) : null;
            }
            catch (SqliteException ex)
            {
                WarnOnce(ex.Message);
                sqliteEpoch?.Dispose();
                sqlite?.Dispose();
                sqliteEpoch = null;
                sqlite = null;
                return null;
            }
        }
    }

    private async ValueTask<DataEpoch?> ReadPostgresAsync(CancellationToken ct)
    {
        try
        {
            if (postgres is null)
            {
                var source = NpgsqlDataSource.Create(engine.ConnectionString!);
                await using (var triggers = source.CreateCommand(PostgresTriggersSql))
                {
                    if ((long)(await triggers.ExecuteScalarAsync(ct))! != PostgresTriggers.Length)
                    {
                        await source.DisposeAsync();
                        triggersMissing = true;
                        WarnOnce("the triggers that bump AccountEpoch and CardEpoch are missing");
                        return null;
                    }
                }

                if (Interlocked.CompareExchange(ref postgres, source, null) is not null)
                {
                    await source.DisposeAsync();
                }
            }

            await using var command = postgres.CreateCommand(EpochSql);
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? new DataEpoch(reader.GetInt64(0), reader.GetInt64(1)) : null;
        }
        catch (NpgsqlException ex)
        {
            WarnOnce(ex.Message);
            return null;
        }
    }

    private void WarnOnce(string error)
    {
        if (Interlocked.Exchange(ref warned, 1) == 0)
        {
            LogEpochUnavailable(logger, error);
        }
    }

    public void Dispose()
    {
        lock (sqliteGate)
        {
            sqliteEpoch?.Dispose();
            sqlite?.Dispose();
            postgres?.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read the data epochs ({Error}); sessions and cards are checked against the database on every request")]
    private static partial void LogEpochUnavailable(ILogger logger, string error);

    private sealed record RequestEpoch(DataEpoch? Epoch);
}
