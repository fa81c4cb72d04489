using System.Data.Common;
using Labyrinth.Host.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Labyrinth.Host.Data;

/// <summary>
/// The one seam for what differs between the database engines: how the schema is migrated and how
/// writers that must not interleave are serialized. Everything else goes through EF Core (and the
/// few raw statements the host keeps quote identifiers, which both engines accept).
/// </summary>
internal sealed class DatabaseEngine(DatabaseSettings settings)
{
    public DatabaseProvider Provider => settings.Provider;

    public bool IsPostgres => settings.Provider == DatabaseProvider.Postgres;

    /// <summary>The PostgreSQL connection string (null for SQLite, whose file is in the data directory).</summary>
    public string? ConnectionString => settings.ConnectionString;

    public bool MigrateOnStart => settings.MigrateOnStart;

    /// <summary>
    /// Applies pending migrations. On PostgreSQL the check and the migration happen under a
    /// session advisory lock, so of several instances starting together exactly one migrates and
    /// the others wait, then find nothing pending. On SQLite (one instance) it also switches the
    /// file to WAL (≈10× faster commits). A start with nothing pending writes nothing.
    /// </summary>
    /// <param name="underLock">First-start work that must not race another starting instance (installing the example plugins); runs after the migration, still under the lock.</param>
    /// <returns>The migrations this call applied (empty when the schema was up to date).</returns>
    public async Task<IReadOnlyList<string>> MigrateAsync(IServiceProvider services, Func<Task>? underLock, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!IsPostgres)
        {
            var migrated = await MigrateSqliteAsync(services, ct);
            if (underLock is not null)
            {
                await underLock();
            }

            return migrated;
        }

        await using var lockConnection = new NpgsqlConnection(settings.ConnectionString);
        await lockConnection.OpenAsync(ct);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", lockConnection))
        {
            take.Parameters.AddWithValue("key", AdvisoryLockKeys.Migration);
            await take.ExecuteNonQueryAsync(ct);
        }

        try
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
            var pending = await MigratePendingAsync(db, ct);

            if (underLock is not null)
            {
                await underLock();
            }

            return pending;
        }
        finally
        {
            // Closing the session would release it too; saying so keeps a pooled connection clean.
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", lockConnection);
            release.Parameters.AddWithValue("key", AdvisoryLockKeys.Migration);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Takes the PostgreSQL session advisory lock <paramref name="key"/> (shared or exclusive) on a
    /// connection of its own, held until the handle is disposed, so every instance of a cluster
    /// sees it; if the instance dies, its session ends and the lock with it. Null when
    /// <paramref name="wait"/> is false and another session holds a conflicting lock. PostgreSQL
    /// only: on SQLite (one instance) a lock inside the process does the same.
    /// </summary>
    public async Task<IAsyncDisposable?> TakeSessionLockAsync(long key, bool shared, bool wait, CancellationToken ct)
    {
        if (!IsPostgres)
        {
            throw new InvalidOperationException("Session advisory locks exist on PostgreSQL only.");
        }

        var connection = new NpgsqlConnection(settings.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            var take = (shared, wait) switch
            {
                (true, true) => "SELECT pg_advisory_lock_shared(@key)",
                (true, false) => "SELECT pg_try_advisory_lock_shared(@key)",
                (false, true) => "SELECT pg_advisory_lock(@key)",
                (false, false) => "SELECT pg_try_advisory_lock(@key)",
            };
            await using var command = new NpgsqlCommand(take, connection);
            command.Parameters.AddWithValue("key", key);
            if (await command.ExecuteScalarAsync(ct) is false)
            {
                await connection.DisposeAsync();
                return null;
            }

            return new SessionLock(connection, shared ? "SELECT pg_advisory_unlock_shared(@key)" : "SELECT pg_advisory_unlock(@key)", key);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class SessionLock(NpgsqlConnection connection, string release, long key) : IAsyncDisposable
    {
        private int released;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref released, 1) != 0)
            {
                return;
            }

            try
            {
                // Closing the session would release it too; saying so keeps a pooled connection clean.
                await using var command = new NpgsqlCommand(release, connection);
                command.Parameters.AddWithValue("key", key);
                await command.ExecuteNonQueryAsync(CancellationToken.None);
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>Applies the pending migrations, or refuses to start when this instance may not migrate; returns their names.</summary>
    private async Task<List<string>> MigratePendingAsync(LabyrinthDb db, CancellationToken ct)
    {
        // The usual start has nothing to do: say so from one plain read of the history table.
        // EF's own check builds the history table's model through the full convention set and
        // loads the migrator's services first: ~1,500 of the ~11,300 methods a restart JIT-compiled,
        // needed only when something is pending (or the table is missing, on a new database).
        if (await AppliedMigrationIdsAsync(db, ct) is { } applied && db.Database.GetMigrations().All(applied.Contains))
        {
            return [];
        }

        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count > 0)
        {
            if (!settings.MigrateOnStart)
            {
                throw new SchemaBehindException(pending);
            }

            await db.Database.MigrateAsync(ct);
        }

        return pending;
    }

    /// <summary>
    /// The migration ids recorded in EF Core's history table, read with one plain statement on the
    /// context's connection; null when they cannot be read that way (no table yet on a new
    /// database), and then EF Core's own check decides.
    /// </summary>
    private static async Task<HashSet<string>?> AppliedMigrationIdsAsync(LabyrinthDb db, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """SELECT "MigrationId" FROM "__EFMigrationsHistory";""";
            await using var reader = await command.ExecuteReaderAsync(ct);
            var ids = new HashSet<string>(StringComparer.Ordinal);
            while (await reader.ReadAsync(ct))
            {
                ids.Add(reader.GetString(0));
            }

            return ids;
        }
        catch (DbException)
        {
            return null;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task<IReadOnlyList<string>> MigrateSqliteAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        _ = db.Model;
        StartTimeline.Mark("EF context and model built");
        // Only when something is pending: migrating takes a lock row even when up to date, and a
        // start with nothing to do must write nothing (it may be on a full disk).
        var pending = await MigratePendingAsync(db, ct);

        StartTimeline.Mark("pending migrations checked");
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        return pending;
    }
}

/// <summary>
/// What a transaction-scoped lock protects: a check-then-write that must not interleave with the
/// same check-then-write on another instance. The values are PostgreSQL advisory lock keys.
/// </summary>
internal enum TransactionLock : long
{
    /// <summary>Reading the audit chain's head and appending after it.</summary>
    AuditChain = AdvisoryLockKeys.AuditChain,

    /// <summary>"Another active admin remains" and the demotion, disabling or removal it allows.</summary>
    Admins = AdvisoryLockKeys.Admins,

    /// <summary>"No account yet and no usable setup token" and issuing the deployment's one token.</summary>
    SetupToken = AdvisoryLockKeys.SetupToken,

    /// <summary>One plugin storage quota (plugin, scope, owner): "the usage plus this write fits" and the write (taken by name).</summary>
    PluginStorageQuota = AdvisoryLockKeys.PluginStorageQuota,

    /// <summary>
    /// One count limit (groups on the host, one person's access tokens): "fewer than the limit
    /// exist" and the insert it allows (taken by name: the limit and whose count it is).
    /// </summary>
    CountLimit = AdvisoryLockKeys.CountLimit,
}

/// <summary>
/// Every PostgreSQL advisory lock key the host takes, session- or transaction-scoped, in one list:
/// two locks sharing a key would make unrelated work on every instance wait for each other.
/// </summary>
internal static class AdvisoryLockKeys
{
    /// <summary>Running the migrations, once per deployment (session lock).</summary>
    public const long Migration = 0x4C_41_42_59_00_00_00_01; // "LABY" · 1

    /// <summary>The audit chain's head (<see cref="TransactionLock.AuditChain"/>).</summary>
    public const long AuditChain = 0x4C_41_42_59_00_00_00_02;

    /// <summary>The last active admin (<see cref="TransactionLock.Admins"/>).</summary>
    public const long Admins = 0x4C_41_42_59_00_00_00_03;

    /// <summary>Writers of blobs hold it shared from storing the bytes until the row naming them commits; the collector holds it alone (session lock).</summary>
    public const long Blobs = 0x4C_41_42_59_00_00_00_04;

    /// <summary>Issuing the deployment's one setup token (<see cref="TransactionLock.SetupToken"/>).</summary>
    public const long SetupToken = 0x4C_41_42_59_00_00_00_05;

    /// <summary>
    /// The family of the named plugin storage quota locks (<see cref="TransactionLock.PluginStorageQuota"/>):
    /// hashed with each name into PostgreSQL's two-key form (<see cref="TransactionLocks.NamedKey"/>),
    /// whose key space never meets the one-key locks above.
    /// </summary>
    public const long PluginStorageQuota = 0x4C_41_42_59_00_00_00_06;

    /// <summary>The family of the named count limit locks (<see cref="TransactionLock.CountLimit"/>), two-key form like the quotas.</summary>
    public const long CountLimit = 0x4C_41_42_59_00_00_00_07;
}

internal static class TransactionLocks
{
    /// <summary>
    /// Holds <paramref name="which"/> until the caller's open transaction ends. On PostgreSQL a
    /// transaction-scoped advisory lock serializes every instance (released by commit or rollback,
    /// also when an instance dies mid-way); on SQLite the open write transaction already excludes
    /// every other writer (BEGIN IMMEDIATE through <see cref="SqliteWriteGate"/>).
    /// </summary>
    public static async Task TakeAsync(LabyrinthDb db, TransactionLock which, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A transaction lock is held by a transaction; open one first.");
        }

        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({(long)which})", ct);
        }
    }

    /// <summary>
    /// Holds the lock on <paramref name="name"/> within <paramref name="which"/>'s family until the
    /// caller's open transaction ends: two writers of the same name wait for each other, writers of
    /// different names do not. PostgreSQL's two-key form (<see cref="NamedKey"/>), the same on every
    /// instance; on SQLite the open write transaction already excludes every other writer.
    /// </summary>
    public static async Task TakeAsync(LabyrinthDb db, TransactionLock which, string name, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(name);
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A transaction lock is held by a transaction; open one first.");
        }

        if (db.Database.IsNpgsql())
        {
            var (high, low) = NamedKey(which, name);
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({high}, {low})", ct);
        }
    }

    /// <summary>
    /// The two 32-bit keys of a named lock: the first 64 bits of SHA-256 over the family and the
    /// name. The names hold what others choose (a plugin's id is its author's), so the whole of the
    /// two-key form is digest: with 32 bits of it (the family in the other half), a plugin author
    /// could try ids offline until one shared its quota lock with another plugin's (about 2^32
    /// hashes, minutes on one core) and make that plugin's writes queue behind its own; 64 bits put a
    /// chosen collision out of reach. The family is hashed in, so two families do not share keys, and
    /// the two-key space never meets the one-key locks of <see cref="AdvisoryLockKeys"/>.
    /// </summary>
    internal static (int High, int Low) NamedKey(TransactionLock which, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var text = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(long)which:x16}\n{name}");
        var digest = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text));
        return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(digest), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(digest.AsSpan(4)));
    }
}

/// <summary>The schema is older than this build and this instance may not migrate it (<see cref="DatabaseSettings.MigrateOnStart"/> is off).</summary>
internal sealed class SchemaBehindException(IReadOnlyList<string> pending)
    : Exception($"The database schema is behind this build ({pending.Count} migration(s) pending, first {pending[0]}) and Labyrinth:Database:MigrateOnStart is off; run the migration first (docs/operations.md).")
{
    public IReadOnlyList<string> Pending { get; } = pending;
}
