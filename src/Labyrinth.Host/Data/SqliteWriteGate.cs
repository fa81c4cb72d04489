using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Labyrinth.Host.Data;

/// <summary>
/// One writer at a time for the whole process, waited for asynchronously. SQLite allows one writer
/// per database; when two collide, Microsoft.Data.Sqlite retries by blocking the thread in 150 ms
/// sleeps, which under load both inflates tail latency in those steps and starves the thread pool.
/// Taking this gate first (in FIFO order, without blocking a thread) means SQLite never sees two
/// writers from this process, so its busy path is only reached by another process (the CLI).
/// </summary>
internal sealed class SqliteWriteGate : IDisposable
{
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim gate = new(1, 1);
    private int waiting;

    /// <summary>Writers waiting for the gate right now (lets a diagnosis, or a test, see a writer parked here).</summary>
    public int Waiting => Volatile.Read(ref waiting);

    public async Task EnterAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref waiting);
        try
        {
            if (!await gate.WaitAsync(MaxWait, ct))
            {
                throw new TimeoutException($"Waited {MaxWait.TotalSeconds:0} s for the database's write lock.");
            }
        }
        finally
        {
            Interlocked.Decrement(ref waiting);
        }
    }

    public void Enter()
    {
        Interlocked.Increment(ref waiting);
        try
        {
            if (!gate.Wait(MaxWait))
            {
                throw new TimeoutException($"Waited {MaxWait.TotalSeconds:0} s for the database's write lock.");
            }
        }
        finally
        {
            Interlocked.Decrement(ref waiting);
        }
    }

    public void Exit() => gate.Release();

    public void Dispose() => gate.Dispose();
}

/// <summary>
/// Applies <see cref="SqliteWriteGate"/> to everything EF Core writes: a transaction holds the gate
/// from BEGIN until commit, rollback or failure (or, at the latest, until its connection closes);
/// a write statement outside a transaction (a single-statement SaveChanges, ExecuteUpdate/Delete, an
/// upsert) holds it while it runs. Reads never wait. Also sets each new SQLite connection up.
/// </summary>
internal sealed class SqliteWriteInterceptor(SqliteWriteGate gate) : DbConnectionInterceptor, IDbTransactionInterceptor, IDbCommandInterceptor
{
    private const int SqliteFcntlPersistWal = 10; // SQLITE_FCNTL_PERSIST_WAL in sqlite3.h

    private readonly ConditionalWeakTable<DbConnection, Holder> holders = new();
    private readonly ConditionalWeakTable<object, object> configured = new();
    private int persistWalUnavailable;

    private enum Hold
    {
        None,
        Transaction,
        Command,
    }

    // ---- connections -----------------------------------------------------------------------

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Configure(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Configure(connection);
        return Task.CompletedTask;
    }

    public override InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Release(connection, Hold.None);
        return result;
    }

    public override ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Release(connection, Hold.None);
        return ValueTask.FromResult(result);
    }

    // ---- transactions ----------------------------------------------------------------------

    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        Acquire(connection, Hold.Transaction);
        return result;
    }

    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
        DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        await AcquireAsync(connection, Hold.Transaction, cancellationToken);
        return result;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Release(ConnectionOf(eventData), Hold.Transaction);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(ConnectionOf(eventData), Hold.Transaction);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Release(ConnectionOf(eventData), Hold.Transaction);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(ConnectionOf(eventData), Hold.Transaction);
        return Task.CompletedTask;
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData)
    {
        // A failed BEGIN has no transaction to end later; a failed COMMIT is rolled back or closed with its connection.
        if (eventData?.Action == "BeginTransaction")
        {
            Release(ConnectionOf(eventData), Hold.Transaction);
        }
    }

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionFailed(transaction, eventData);
        return Task.CompletedTask;
    }

    private static DbConnection? ConnectionOf(TransactionEventData? eventData) => eventData?.Context?.Database.GetDbConnection();

    // ---- write statements outside a transaction -------------------------------------------

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        if (IsAutocommitWrite(command))
        {
            Acquire(command.Connection!, Hold.Command);
        }

        return result;
    }

    public async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (IsAutocommitWrite(command))
        {
            await AcquireAsync(command.Connection!, Hold.Command, cancellationToken);
        }

        return result;
    }

    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Release(command.Connection, Hold.Command);
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Release(command.Connection, Hold.Command);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        if (IsAutocommitWrite(command))
        {
            Acquire(command.Connection!, Hold.Command);
        }

        return result;
    }

    public async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (IsAutocommitWrite(command))
        {
            await AcquireAsync(command.Connection!, Hold.Command, cancellationToken);
        }

        return result;
    }

    // An INSERT … RETURNING runs as a reader: the statement is done when the reader is.
    public InterceptionResult DataReaderClosing(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        Release(command.Connection, Hold.Command);
        return result;
    }

    public ValueTask<InterceptionResult> DataReaderClosingAsync(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        Release(command.Connection, Hold.Command);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        Release(command.Connection, Hold.Command);
        return result;
    }

    public void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Release(command.Connection, Hold.Command);

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(command.Connection, Hold.Command);
        return Task.CompletedTask;
    }

    public void CommandCanceled(DbCommand command, CommandEndEventData eventData) => Release(command.Connection, Hold.Command);

    public Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(command.Connection, Hold.Command);
        return Task.CompletedTask;
    }

    // ---- the holding state of one connection ------------------------------------------------

    private static bool IsAutocommitWrite(DbCommand command)
    {
        if (command.Transaction is not null || command.Connection is null)
        {
            return false;
        }

        var text = command.CommandText.AsSpan().TrimStart();
        return text.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase) || text.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase) ||
               text.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase) || text.StartsWith("REPLACE", StringComparison.OrdinalIgnoreCase);
    }

    private void Acquire(DbConnection connection, Hold kind)
    {
        var holder = holders.GetValue(connection, _ => new Holder());
        if (holder.Kind != Hold.None)
        {
            return;
        }

        gate.Enter();
        holder.Kind = kind;
    }

    private async Task AcquireAsync(DbConnection connection, Hold kind, CancellationToken ct)
    {
        var holder = holders.GetValue(connection, _ => new Holder());
        if (holder.Kind != Hold.None)
        {
            return;
        }

        await gate.EnterAsync(ct);
        holder.Kind = kind;
    }

    /// <summary>Releases the gate if <paramref name="connection"/> holds it as <paramref name="kind"/> (<see cref="Hold.None"/>: however it holds it).</summary>
    private void Release(DbConnection? connection, Hold kind)
    {
        if (connection is null || !holders.TryGetValue(connection, out var holder) || holder.Kind == Hold.None || (kind != Hold.None && holder.Kind != kind))
        {
            return;
        }

        holder.Kind = Hold.None;
        gate.Exit();
    }

    private sealed class Holder
    {
        public Hold Kind { get; set; }
    }

    // ---- per physical connection -------------------------------------------------------------

    // Keep the WAL and shared-memory files when the last connection closes, so a restart finds them
    // in place and needs no new disk space before its first write (a start on a full disk works).
    // Also called for connections the host opens outside EF (the card-state writer's).
    public void Configure(DbConnection connection)
    {
        if (connection is not SqliteConnection { Handle: { } handle } || configured.TryGetValue(handle, out _))
        {
            return;
        }

        configured.AddOrUpdate(handle, handle);
        if (Volatile.Read(ref persistWalUnavailable) != 0)
        {
            return;
        }

        var name = Marshal.StringToCoTaskMemUTF8("main");
        var on = Marshal.AllocCoTaskMem(sizeof(long));
        try
        {
            Marshal.WriteInt32(on, 1);
            _ = NativeSqlite.FileControl(handle.DangerousGetHandle(), name, SqliteFcntlPersistWal, on);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            Volatile.Write(ref persistWalUnavailable, 1);
        }
        finally
        {
            Marshal.FreeCoTaskMem(name);
            Marshal.FreeCoTaskMem(on);
        }
    }

    private static class NativeSqlite
    {
        // The bundled SQLite that Microsoft.Data.Sqlite itself loads (SQLitePCLRaw's e_sqlite3);
        // SQLitePCLRaw does not expose sqlite3_file_control. All arguments are blittable.
        [DllImport("e_sqlite3", EntryPoint = "sqlite3_file_control", ExactSpelling = true)]
        public static extern int FileControl(IntPtr db, IntPtr dbName, int op, IntPtr arg);
    }
}
