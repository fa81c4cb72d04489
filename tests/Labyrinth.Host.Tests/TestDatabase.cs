using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Labyrinth.Host.Tests;

/// <summary>
/// Which database the Host tests run on: SQLite (the default), or PostgreSQL when
/// <c>LABYRINTH_TEST_DB=postgres</c> and <c>LABYRINTH_PG_CONNECTION</c> names a server where the
/// user may create databases (scripts/pg-up.sh prints one). Each test host gets a database of its
/// own, dropped when the host is disposed.
/// </summary>
internal static class TestDatabase
{
    public static bool IsPostgres =>
        string.Equals(Environment.GetEnvironmentVariable("LABYRINTH_TEST_DB"), "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>The server's connection string (its maintenance database), from <c>LABYRINTH_PG_CONNECTION</c>.</summary>
    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("LABYRINTH_PG_CONNECTION") is { Length: > 0 } s
            ? s
            : throw new InvalidOperationException("LABYRINTH_TEST_DB=postgres needs LABYRINTH_PG_CONNECTION (scripts/pg-up.sh prints it).");

    /// <summary>Creates an empty database and returns it (dropped on dispose).</summary>
    public static Database Create()
    {
        var name = "labyrinth_t_" + Guid.NewGuid().ToString("N");
        CreateDatabase(name);
        return new Database(name, ConnectionStringFor(name), drop: true);
    }

    /// <summary>
    /// The database that belongs to a data directory a test named: created on first use, found
    /// again by a host restarted on the same directory, never dropped by a host (scripts/pg-down.sh
    /// removes the whole server).
    /// </summary>
    public static Database ForDataDir(string dataDir)
    {
        var name = NameForDataDir(dataDir);
        try
        {
            CreateDatabase(name);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
        }

        return new Database(name, ConnectionStringFor(name), drop: false);
    }

    /// <summary>
    /// Runs one statement written for the tests' SQLite helpers against the database of
    /// <paramref name="dataDir"/>: the SQLite file, or on PostgreSQL its database with the
    /// PascalCase table and column names quoted (PostgreSQL folds unquoted names to lower case).
    /// </summary>
    /// <param name="connectionString">The PostgreSQL database to use instead of the data directory's own (a cluster's shared one).</param>
    public static object? Run(string dataDir, string sql, bool scalar, string? connectionString = null)
    {
        if (!IsPostgres)
        {
            using var sqlite = new SqliteConnection($"Data Source={Path.Combine(dataDir, "labyrinth.db")};Pooling=False");
            sqlite.Open();
            using var command = sqlite.CreateCommand();
            command.CommandText = sql;
            return scalar ? command.ExecuteScalar() : command.ExecuteNonQuery();
        }

        using var connection = new NpgsqlConnection(connectionString ?? ConnectionStringFor(NameForDataDir(dataDir)));
        connection.Open();
        using var pg = new NpgsqlCommand(QuoteIdentifiers(sql), connection);
        return scalar ? pg.ExecuteScalar() : pg.ExecuteNonQuery();
    }

    // Quotes PascalCase words outside string literals; keywords are upper case, values are in quotes.
    private static string QuoteIdentifiers(string sql) =>
        string.Concat(Regex.Split(sql, "('(?:[^']|'')*')").Select(part =>
            part.StartsWith('\'') ? part : Regex.Replace(part, @"(?<![""\w])([A-Z][a-z][A-Za-z0-9]*)(?![""\w])", "\"$1\"")));

    private static string NameForDataDir(string dataDir) =>
        "labyrinth_d_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(dataDir))))[..32];

    private static void CreateDatabase(string name)
    {
        using var connection = new NpgsqlConnection(ServerConnectionString);
        connection.Open();
        using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        create.ExecuteNonQuery();
    }

    // A small pool per host: the suite runs many hosts at once against one server.
    private static string ConnectionStringFor(string name) =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name, MaxPoolSize = 20 }.ConnectionString;

    internal sealed class Database(string name, string connectionString, bool drop) : IDisposable
    {
        public string Name { get; } = name;

        public string ConnectionString { get; } = connectionString;

        public void Dispose()
        {
            using (var pooled = new NpgsqlConnection(ConnectionString))
            {
                NpgsqlConnection.ClearPool(pooled);
            }

            if (!drop)
            {
                return;
            }

            try
            {
                using var connection = new NpgsqlConnection(ServerConnectionString);
                connection.Open();
                using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
                drop.ExecuteNonQuery();
            }
            catch (NpgsqlException)
            {
                // A database left behind must not fail the test; pg-down.sh removes the whole server.
            }
        }
    }
}
