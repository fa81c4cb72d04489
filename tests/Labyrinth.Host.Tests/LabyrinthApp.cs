using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Labyrinth.Host.Tests;

/// <summary>
/// The host under test with a throwaway data directory (database, plugin store, keys), optional
/// settings, and every log line captured so tests can read the setup URL or check logs for secrets.
/// </summary>
internal sealed class LabyrinthApp : WebApplicationFactory<Program>
{
    public const string AdminName = "admin";
    public const string Password = "correct-horse-battery";

    private readonly string dataDir = Path.Combine(Path.GetTempPath(), "labyrinth-tests-" + Guid.NewGuid().ToString("N"));
    private TestDatabase.Database? database;
    private readonly IReadOnlyDictionary<string, string?> settings;
    private readonly bool kestrel;

    public LabyrinthApp(IReadOnlyDictionary<string, string?>? settings = null, bool kestrel = false)
    {
        this.settings = settings ?? new Dictionary<string, string?>();
        this.kestrel = kestrel;
        if (kestrel)
        {
            UseKestrel(0);
        }
    }

    public CapturedLogs Logs { get; } = new();

    public static LabyrinthApp With(string key, string value) => new(new Dictionary<string, string?> { [key] = value, ["Labyrinth:ExamplePluginsDir"] = "" });

    /// <summary>An app without the example plugins, for tests that never touch plugins (installing them is most of the start-up cost).</summary>
    public static LabyrinthApp WithoutPlugins() => new(new Dictionary<string, string?> { ["Labyrinth:ExamplePluginsDir"] = "" });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Labyrinth:DataDir", dataDir);
        // The sandbox probe is test-only: hosts under test install it unless a test says otherwise
        // (a null value leaves a setting unset, as on a person's host).
        if (!settings.ContainsKey("Labyrinth:InstallTestPlugins"))
        {
            builder.UseSetting("Labyrinth:InstallTestPlugins", "true");
        }

        // LABYRINTH_TEST_DB=postgres: this host gets a fresh PostgreSQL database of its own (and
        // keeps its blobs there), unless the test chose a database itself; a data directory the
        // test named keeps its database across restarts (TestDatabase.ForDataDir).
        if (TestDatabase.IsPostgres && !settings.ContainsKey("Labyrinth:Database:Provider"))
        {
            // A test that names the data directory may restart a host on it: the database goes with the directory.
            database = settings.TryGetValue("Labyrinth:DataDir", out var ownDir) && ownDir is not null ? TestDatabase.ForDataDir(ownDir) : TestDatabase.Create();
            builder.UseSetting("Labyrinth:Database:Provider", "Postgres");
            builder.UseSetting("Labyrinth:Database:ConnectionString", database.ConnectionString);
            if (!settings.ContainsKey("Labyrinth:Blobs:Provider"))
            {
                builder.UseSetting("Labyrinth:Blobs:Provider", "Database");
            }
        }

        foreach (var (key, value) in settings.Where(s => s.Value is not null))
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }

    /// <summary>The base address of the real socket when started with Kestrel.</summary>
    public Uri ServerAddress
    {
        get
        {
            if (!kestrel)
            {
                throw new InvalidOperationException("Only a Kestrel-hosted app has a socket address.");
            }

            StartServer();
            var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new Uri(address.Replace("://[::]", "://localhost", StringComparison.Ordinal).Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal));
        }
    }

    /// <summary>A client that keeps cookies and sends the header the UI sends on every API call.</summary>
    public Task<HttpClient> CreateClientAsync()
    {
        var options = new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true };
        if (kestrel)
        {
            options.BaseAddress = ServerAddress;
        }

        var client = CreateClient(options);
        client.DefaultRequestHeaders.Add("X-Labyrinth-Request", "1");
        return Task.FromResult(client);
    }

    /// <summary>The one-time setup token the host logged at start.</summary>
    public string SetupToken()
    {
        _ = Services; // starts the host, which logs the setup URL from ApplicationStarted
        if (kestrel)
        {
            StartServer();
        }

        var line = Logs.Entries.LastOrDefault(e => e.Category == "Labyrinth.Setup" && e.Message.Contains("/setup#token=", StringComparison.Ordinal))
                   ?? throw new InvalidOperationException("The host did not log a setup URL.");
        var token = line.Message[(line.Message.IndexOf("/setup#token=", StringComparison.Ordinal) + "/setup#token=".Length)..];
        return token.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries)[0];
    }

    /// <summary>Runs one statement against this host's database from outside the host, as the CLI or an operator's SQL shell would.</summary>
    public object? RunSql(string sql, bool scalar = false) => TestDatabase.Run(dataDir, sql, scalar, database?.ConnectionString);

    /// <summary>Completes first-run setup and returns the admin's signed-in client.</summary>
    public async Task<HttpClient> SetupAdminAsync()
    {
        var client = await CreateClientAsync();
        using var response = await client.PostAsJsonAsync("/api/setup", new { token = SetupToken(), userName = AdminName, password = Password });
        await Expect.StatusAsync(HttpStatusCode.OK, response);
        return client;
    }

    /// <summary>Has the admin create a member and returns that member's signed-in client.</summary>
    public async Task<HttpClient> CreateMemberAsync(string name, HttpClient? admin = null)
    {
        admin ??= await SetupAdminAsync();
        using (var created = await admin.PostAsJsonAsync("/api/admin/users", new { userName = name, password = Password, role = "member" }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, created);
        }

        var member = await CreateClientAsync();
        using var login = await member.PostAsJsonAsync("/api/auth/login", new { userName = name, password = Password });
        await Expect.StatusAsync(HttpStatusCode.OK, login);
        return member;
    }

    /// <summary>Creates a board and returns it as JSON (id, version, …).</summary>
    public static async Task<JsonElement> CreateBoardAsync(HttpClient client, string name = "Plans")
    {
        using var response = await client.PostAsJsonAsync("/api/boards", new { name });
        await Expect.StatusAsync(HttpStatusCode.Created, response);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Every client this app makes can reach card-origin paths through <see cref="CardSites"/> (it mints the client's capability token).</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        CardSites.Register(client, this);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        DeleteDataDir();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        DeleteDataDir();
    }

    private void DeleteDataDir()
    {
        database?.Dispose();
        database = null;
        try
        {
            if (Directory.Exists(dataDir))
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(dataDir, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still held open must not fail the test; the OS temp cleaner takes it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

internal sealed record LogEntry(string Category, LogLevel Level, string Message, string? Exception);

/// <summary>Keeps every formatted log line (with its exception) in memory.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> entries = new();

    public IReadOnlyList<LogEntry> Entries => entries.ToArray();

    /// <summary>Everything logged, one line per entry, for "this secret never appears" checks.</summary>
    public string AllText => string.Join('\n', entries.Select(e => $"{e.Category} {e.Message} {e.Exception}"));

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new LogEntry(category, logLevel, formatter(state, exception), exception?.ToString()));
    }
}
