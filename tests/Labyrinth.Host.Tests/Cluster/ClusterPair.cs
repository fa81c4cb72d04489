using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Labyrinth.Host.Tests.Broker;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;

namespace Labyrinth.Host.Tests.Cluster;

/// <summary>
/// Two host instances, A and B, sharing one database and one Redis server, as behind a load
/// balancer. Each has its own data directory (so its own file key ring and caches). On PostgreSQL
/// (<c>LABYRINTH_TEST_DB=postgres</c>) they share a fresh database that also holds the blobs, as in
/// production; on SQLite B's database file, plugin store and assets are links to A's. Redis is the
/// only other channel between them.
/// </summary>
internal sealed class ClusterPair : IAsyncDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "labyrinth-cluster-" + Guid.NewGuid().ToString("N"));

    private ClusterPair(RedisServer redis)
    {
        Redis = redis;
    }

    public RedisServer Redis { get; }

    public BrokerFactory A { get; private set; } = null!;

    public BrokerFactory B { get; private set; } = null!;

    public string Prefix { get; } = "t" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>Starts A, then B (so B finds A's migrated database). <paramref name="redis"/> null: a fresh server owned by the pair.</summary>
    public static async Task<ClusterPair> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, RedisServer? redis = null)
    {
        var pair = new ClusterPair(redis ?? await RedisServer.StartNewAsync()) { ownsRedis = redis is null };
        var a = Path.Combine(pair.root, "a");
        var b = Path.Combine(pair.root, "b");
        Directory.CreateDirectory(a);
        Directory.CreateDirectory(b);
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Labyrinth:Redis:Configuration"] = pair.Redis.Configuration,
            ["Labyrinth:Redis:Prefix"] = pair.Prefix,
        };
        if (TestDatabase.IsPostgres)
        {
            pair.database = TestDatabase.Create();
            all["Labyrinth:Database:Provider"] = "Postgres";
            all["Labyrinth:Database:ConnectionString"] = pair.database.ConnectionString;
            all["Labyrinth:Blobs:Provider"] = "Database";
        }

        pair.settings = all;
        pair.A = new BrokerFactory(a, With(all, "Labyrinth:InstanceId", "a-" + pair.Prefix));
        _ = pair.A.Services; // starts A: migrations, plugin store
        pair.B = pair.Join("b");
        return pair;
    }

    private readonly List<BrokerFactory> others = [];
    private Dictionary<string, string?> settings = [];
    private bool ownsRedis;
    private TestDatabase.Database? database;

    /// <summary>
    /// Starts one more instance, <paramref name="name"/>, on the pair's database and Redis (as a
    /// restart or a scale-up would); the pair stops it when it is disposed.
    /// </summary>
    public BrokerFactory StartAnother(string name)
    {
        var instance = Join(name);
        others.Add(instance);
        return instance;
    }

    private BrokerFactory Join(string name)
    {
        var a = Path.Combine(root, "a");
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        if (database is null)
        {
            File.CreateSymbolicLink(Path.Combine(dir, "labyrinth.db"), Path.Combine(a, "labyrinth.db"));
            Directory.CreateSymbolicLink(Path.Combine(dir, "plugins"), Path.Combine(a, "plugins"));
            Directory.CreateDirectory(Path.Combine(a, "assets"));
            Directory.CreateSymbolicLink(Path.Combine(dir, "assets"), Path.Combine(a, "assets"));
        }

        var instance = new BrokerFactory(dir, With(settings, "Labyrinth:InstanceId", name + "-" + Prefix));
        _ = instance.Services;
        return instance;
    }

    /// <summary>The token in the setup link <paramref name="instance"/> printed at start; null when it printed none.</summary>
    public static string? SetupTokenPrintedBy(BrokerFactory instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var line = instance.Logs.Entries.LastOrDefault(e => e.Category == "Labyrinth.Setup" && e.Message.Contains("/setup#token=", StringComparison.Ordinal));
        return line?.Message[(line.Message.IndexOf("/setup#token=", StringComparison.Ordinal) + "/setup#token=".Length)..]
            .Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries)[0];
    }

    /// <summary>
    /// The arguments and environment <c>labyrinth audit verify</c> needs for the shared database,
    /// configured as an operator would configure the host: the SQLite file, or the PostgreSQL
    /// provider and connection string in the host's environment variables.
    /// </summary>
    public (string[] Args, Dictionary<string, string?> Environment) AuditVerifyCommand() => database is null
        ? (["audit", "verify", Path.Combine(root, "a", "labyrinth.db"), "--json"], [])
        : (["audit", "verify", "--json"], new()
        {
            ["Labyrinth__Database__Provider"] = "Postgres",
            ["Labyrinth__Database__ConnectionString"] = database.ConnectionString,
        });

    /// <summary>Runs one statement against the shared database (SQLite helpers' syntax; quoted for PostgreSQL).</summary>
    public object? RunSql(string sql, bool scalar) => TestDatabase.Run(Path.Combine(root, "a"), sql, scalar, database?.ConnectionString);

    private static Dictionary<string, string?> With(Dictionary<string, string?> settings, string key, string value) =>
        new(settings) { [key] = value };

    /// <summary>
    /// The deployment's one setup link, as A printed it (B printed the same), completed on B: the
    /// admin's session.
    /// </summary>
    public async Task<Session> SetupAdminAsync()
    {
        var token = SetupTokenPrintedBy(A) ?? throw new InvalidOperationException("A printed no setup link.");
        var session = new Session(this);
        using var response = await session.OnB.PostAsJsonAsync("/api/setup", new { token, userName = LabyrinthApp.AdminName, password = LabyrinthApp.Password });
        await Expect.StatusAsync(HttpStatusCode.OK, response);
        return session;
    }

    /// <summary>A new member created by <paramref name="admin"/>, signed in on A.</summary>
    public async Task<Session> MemberAsync(Session admin)
    {
        var name = "u" + Guid.NewGuid().ToString("N")[..12];
        using (var created = await admin.OnA.PostAsJsonAsync("/api/admin/users", new { userName = name, password = LabyrinthApp.Password, role = "member" }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, created);
        }

        var session = new Session(this);
        using var login = await session.OnA.PostAsJsonAsync("/api/auth/login", new { userName = name, password = LabyrinthApp.Password });
        await Expect.StatusAsync(HttpStatusCode.OK, login);
        return session;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var other in others)
        {
            await other.DisposeAsync();
        }

        await B.DisposeAsync();
        await A.DisposeAsync();
        SqliteConnection.ClearAllPools();
        database?.Dispose();
        if (ownsRedis)
        {
            await Redis.DisposeAsync();
        }

        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// One person's browser session, sent to either instance: the cookie one instance set is what
    /// the other receives (a load balancer without sticky sessions).
    /// </summary>
    internal sealed class Session
    {
        private readonly ConcurrentDictionary<string, string> cookies = new(StringComparer.Ordinal);

        public Session(ClusterPair pair)
        {
            OnA = Client(pair.A);
            OnB = Client(pair.B);
            A = pair.A;
            B = pair.B;
        }

        private BrokerFactory A { get; }

        private BrokerFactory B { get; }

        public HttpClient OnA { get; }

        public HttpClient OnB { get; }

        public string Cookie => string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}"));

        /// <summary>A SignalR connection to <paramref name="path"/> on B (or A), as this person.</summary>
        public async Task<HubConnection> ConnectAsync(string path, bool toB = true)
        {
            var app = toB ? B : A;
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(app.Server.BaseAddress, path), o =>
                {
                    o.Transports = HttpTransportType.LongPolling;
                    o.HttpMessageHandlerFactory = _ => app.Server.CreateHandler();
                    o.Headers["Cookie"] = Cookie;
                })
                .Build();
            await connection.StartAsync();
            return connection;
        }

        private HttpClient Client(BrokerFactory app)
        {
            var client = app.CreateDefaultClient(new Jar(cookies));
            client.DefaultRequestHeaders.Add("X-Labyrinth-Request", "1");
            client.Timeout = TimeSpan.FromSeconds(60);
            return client;
        }

        private sealed class Jar(ConcurrentDictionary<string, string> cookies) : DelegatingHandler
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                if (!cookies.IsEmpty)
                {
                    request.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}")));
                }

                var response = await base.SendAsync(request, cancellationToken);
                if (response.Headers.TryGetValues("Set-Cookie", out var set))
                {
                    foreach (var line in set)
                    {
                        var pair = line.Split(';', 2)[0];
                        var eq = pair.IndexOf('=', StringComparison.Ordinal);
                        cookies[pair[..eq]] = pair[(eq + 1)..];
                    }
                }

                return response;
            }
        }
    }
}
