using Microsoft.Data.Sqlite;
using Npgsql;

namespace Labyrinth.Host.Infrastructure;

/// <summary>
/// Recognises storage failures a person must fix on the machine (a full disk, a read-only file
/// system) wherever they surface: SQLite's and PostgreSQL's own codes, or the OS error carried by an
/// <see cref="IOException"/> (on Unix .NET puts the errno in <c>HResult</c>; on Windows it is the
/// Win32 error as an HRESULT). EF Core and the file APIs wrap them, so inner exceptions count too.
/// </summary>
internal static class StorageErrors
{
    private const int SqliteFull = 13;
    private const int SqliteReadOnly = 8;

    private const int Enospc = 28;
    private const int EdquotLinux = 122;
    private const int EdquotMac = 69;
    private const int Erofs = 30;
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);
    private const int WindowsWriteProtect = unchecked((int)0x80070013);

    /// <summary>True when <paramref name="ex"/> (or an inner exception) says the disk or the database is full.</summary>
    public static bool IsFull(Exception? ex) => Any(ex, e => e switch
    {
        SqliteException s => s.SqliteErrorCode == SqliteFull,
        PostgresException p => p.SqlState is PostgresErrorCodes.DiskFull or PostgresErrorCodes.OutOfMemory,
        IOException io => io.HResult is Enospc or EdquotLinux or WindowsDiskFull or WindowsHandleDiskFull || (OperatingSystem.IsMacOS() && io.HResult == EdquotMac),
        _ => false,
    });

    /// <summary>True when the file system (or the database file) refuses writes altogether.</summary>
    public static bool IsReadOnly(Exception? ex) => Any(ex, e => e switch
    {
        SqliteException s => s.SqliteErrorCode == SqliteReadOnly,
        PostgresException p => p.SqlState == PostgresErrorCodes.ReadOnlySqlTransaction,
        IOException io => io.HResult is Erofs or WindowsWriteProtect,
        _ => false,
    });

    private static bool Any(Exception? ex, Func<Exception, bool> match)
    {
        for (var depth = 0; ex is not null && depth < 16; ex = ex.InnerException, depth++)
        {
            if (match(ex))
            {
                return true;
            }

            if (ex is AggregateException aggregate && aggregate.InnerExceptions.Any(inner => Any(inner, match)))
            {
                return true;
            }
        }

        return false;
    }
}
