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
    private const int SqliteTooBig = 18;
    private const int SqliteConstraint = 19;
    private const int SqliteMismatch = 20;

    // PostgreSQL's SQLSTATE classes that say "this data": 22 data exception (a NUL or an invalid
    // byte sequence in text, a value too long for its column, out of range), 23 integrity
    // constraint violation (NOT NULL, CHECK, UNIQUE, foreign key), 54 program limit exceeded (an
    // index row too large), and P0001, a trigger's RAISE EXCEPTION.
    private static readonly string[] PostgresDataClasses = ["22", "23", "54"];

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

    /// <summary>
    /// True when the database refused the content of the rows written (<paramref name="ex"/> or an
    /// inner exception): writing the same rows again fails the same way, so a writer that retries
    /// must set the refused row apart instead. Everything else — the database unreachable, busy or
    /// locked, a serialization failure, a full disk, a broken connection, a missing table — is
    /// treated as passing: the rows are kept and written once the database takes them again.
    /// Decided on the engines' error codes, never on message text.
    /// </summary>
    public static bool IsDataRefused(Exception? ex) => Any(ex, e => e switch
    {
        SqliteException s => s.SqliteErrorCode is SqliteConstraint or SqliteTooBig or SqliteMismatch,
        PostgresException p => p.SqlState == PostgresErrorCodes.RaiseException || PostgresDataClasses.Any(c => p.SqlState.StartsWith(c, StringComparison.Ordinal)),

        // Npgsql encodes text as strict UTF-8: an unpaired surrogate fails on the client, before
        // anything is sent, and every attempt fails alike.
        System.Text.EncoderFallbackException => true,
        _ => false,
    });

    /// <summary>
    /// What kind of refusal <paramref name="ex"/> is, in a form fit for a log line, a metric label
    /// and the audit trail: the engine and its code (<c>postgres:22021</c>, <c>sqlite:2067</c>),
    /// never the message, which may quote the refused value or name server paths.
    /// </summary>
    public static string DataRefusalKind(Exception? ex)
    {
        string? kind = null;
        Any(ex, e =>
        {
            kind = e switch
            {
                SqliteException s when s.SqliteErrorCode is SqliteConstraint or SqliteTooBig or SqliteMismatch =>
                    "sqlite:" + s.SqliteExtendedErrorCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
                PostgresException p => "postgres:" + p.SqlState,
                System.Text.EncoderFallbackException => "encoding",
                _ => null,
            };
            return kind is not null;
        });
        return kind ?? "unknown";
    }

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
