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

    /// <summary>Creates an empty database and returns it.</summary>
    public static Database Create()
    {
        var name = "labyrinth_t_" + Guid.NewGuid().ToString("N");
        using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            create.ExecuteNonQuery();
        }

        // A small pool per host: the suite runs many hosts at once against one server.
        var builder = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name, MaxPoolSize = 20 };
        return new Database(name, builder.ConnectionString);
    }

    internal sealed class Database(string name, string connectionString) : IDisposable
    {
        public string Name { get; } = name;

        public string ConnectionString { get; } = connectionString;

        public void Dispose()
        {
            using (var pooled = new NpgsqlConnection(ConnectionString))
            {
                NpgsqlConnection.ClearPool(pooled);
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
