using System.Collections.Concurrent;
using Labyrinth.Host.Data;
using Labyrinth.Host.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Labyrinth.Host.Features.Auth;

/// <summary>What the session check needs of an account (enabled accounts only are cached).</summary>
internal sealed record SessionAccount(string UserName, string Role, DateTime? DisabledAt, string SessionStamp);

/// <summary>An account and its signed-out sessions, as read under account epoch <paramref name="Epoch"/>.</summary>
internal sealed record CachedSession(long Epoch, SessionAccount Account, string[] RevokedSessions);

/// <summary>
/// Validated accounts kept in memory for exactly as long as no account has changed anywhere.
/// <para>
/// Every write to the accounts table, by any writer (this host, another instance, the CLI, an
/// operator's <c>sqlite3</c> or <c>psql</c>), bumps the one-row <c>AccountEpoch</c> counter in the
/// same transaction (database triggers, see the <c>AccountEpoch</c> migrations). A cached account
/// is used only while the counter still reads what it read just before the account was loaded, so
/// once the change that disabled an account, reset its password, changed its role, deleted it or
/// signed one of its sessions out is committed (and therefore before it is acknowledged to whoever made it), no instance honours
/// the old account again. The check does not depend on Redis or on messages being delivered:
/// pub/sub is asynchronous and lossy, so it could only ever shorten a stale window, never close it.
/// </para>
/// <para>
/// The counter read is one tiny statement on a connection of its own, with no EF Core context: on
/// SQLite a prepared statement on one long-lived connection (no I/O beyond the WAL index), on
/// PostgreSQL a round trip of one row. When it cannot be read (a schema from before the counter,
/// a connection error), the account is read from the database on every request, as before.
/// </para>
/// </summary>
internal sealed partial class SessionCache(DatabaseEngine engine, HostPaths paths, ILogger<SessionCache> logger) : IDisposable
{
    private const string EpochSql = "SELECT \"Value\" FROM \"AccountEpoch\" WHERE \"Id\" = 1";

    // SQLite drops a table's triggers with it, and EF rebuilds a table to alter a column: a later
    // migration could silently remove them, and a counter nobody bumps would keep stale accounts
    // forever. So the cache is used only while every trigger is there (checked when connecting).
    private const string SqliteTriggersSql =
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ('Users_AccountEpoch_Insert', 'Users_AccountEpoch_Update', 'Users_AccountEpoch_Delete', 'RevokedSessions_AccountEpoch_Insert')";

    private const string PostgresTriggersSql =
        "SELECT count(*) FROM pg_trigger WHERE tgname IN ('Users_AccountEpoch', 'RevokedSessions_AccountEpoch') AND tgenabled <> 'D'";

    private readonly ConcurrentDictionary<Guid, CachedSession> accounts = new();
    private readonly Lock sqliteGate = new();
    private SqliteConnection? sqlite;
    private SqliteCommand? sqliteEpoch;
    private NpgsqlDataSource? postgres;
    private int warned;
    private volatile bool triggersMissing;

    /// <summary>The current account epoch, or null when it cannot be read (then nothing is cached).</summary>
    public ValueTask<long?> ReadEpochAsync(CancellationToken ct) =>
        triggersMissing ? ValueTask.FromResult<long?>(null)
        : engine.IsPostgres ? ReadPostgresEpochAsync(ct)
        : ValueTask.FromResult(ReadSqliteEpoch());

    /// <summary>The account as loaded under <paramref name="epoch"/>, if nothing changed since.</summary>
    public CachedSession? Find(Guid id, long epoch) =>
        accounts.TryGetValue(id, out var entry) && entry.Epoch == epoch ? entry : null;

    /// <summary>Keeps <paramref name="session"/>, read from the database after its epoch was read.</summary>
    public void Store(Guid id, CachedSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session.Account.DisabledAt is null)
        {
            accounts[id] = session;
        }
    }

    private long? ReadSqliteEpoch()
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
                        if ((long)triggers.ExecuteScalar()! != 4)
                        {
                            triggersMissing = true;
                            WarnOnce("the triggers that bump AccountEpoch are missing");
                            sqlite.Dispose();
                            sqlite = null;
                            return null;
                        }
                    }

                    sqliteEpoch = sqlite.CreateCommand();
                    sqliteEpoch.CommandText = EpochSql;
                    sqliteEpoch.Prepare();
                }

                return sqliteEpoch.ExecuteScalar() is long value ? value : null;
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

    private async ValueTask<long?> ReadPostgresEpochAsync(CancellationToken ct)
    {
        try
        {
            if (postgres is null)
            {
                var source = NpgsqlDataSource.Create(engine.ConnectionString!);
                await using (var triggers = source.CreateCommand(PostgresTriggersSql))
                {
                    if ((long)(await triggers.ExecuteScalarAsync(ct))! != 2)
                    {
                        await source.DisposeAsync();
                        triggersMissing = true;
                        WarnOnce("the trigger that bumps AccountEpoch is missing");
                        return null;
                    }
                }

                if (Interlocked.CompareExchange(ref postgres, source, null) is not null)
                {
                    await source.DisposeAsync();
                }
            }

            await using var command = postgres.CreateCommand(EpochSql);
            return await command.ExecuteScalarAsync(ct) is long value ? value : null;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read the account epoch ({Error}); sessions are checked against the database on every request")]
    private static partial void LogEpochUnavailable(ILogger logger, string error);
}
