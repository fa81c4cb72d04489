using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Labyrinth.Host.Tests.Cluster;

/// <summary>
/// Two real host processes behind one database and one Redis server: an in-process host cannot be
/// SIGKILLed, so a crash of an instance is only honest with a process of its own.
/// </summary>
public sealed partial class ClusterProcessTests
{
    private const int WritesThroughBAfterTheKill = 10;

    [Fact]
    public async Task KillMinus9_OfAWhileWriting_LosesNothingAcknowledged_BKeepsServing_ARejoins()
    {
        await using var cluster = await ProcessCluster.StartAsync();
        var session = await cluster.SetupAdminAsync();
        await Eventually.ReachAsync(() => ProcessCluster.LiveInstancesAsync(session.OnB), live => live == 2,
            "B's /healthz reports both instances live before the kill", TimeSpan.FromSeconds(30));
        var acknowledged = new ConcurrentDictionary<string, string>(StringComparer.Ordinal); // board id -> name
        var afterKill = new ConcurrentQueue<string>();
        var ackedByA = 0;
        var ackedByB = 0;
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // A board created is a distinct committed row: its 201 is the acknowledgement to keep.
        async Task WriteAsync(HttpClient client, string writer, bool onA)
        {
            var remainingAfterKill = WritesThroughBAfterTheKill;
            for (var i = 0; ; i++)
            {
                var sentAfterKill = killed.Task.IsCompleted;
                if (sentAfterKill && (onA || remainingAfterKill-- == 0))
                {
                    return;
                }

                var name = $"{writer}-{i}";
                try
                {
                    using var response = await client.PostAsJsonAsync("/api/boards", new { name });
                    if (sentAfterKill)
                    {
                        afterKill.Enqueue($"{name}: {(int)response.StatusCode}");
                    }

                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        var board = await response.Content.ReadFromJsonAsync<JsonElement>();
                        acknowledged[board.GetProperty("id").GetString()!] = name;
                        if (onA)
                        {
                            Interlocked.Increment(ref ackedByA);
                        }
                        else
                        {
                            Interlocked.Increment(ref ackedByB);
                        }
                    }
                }
                catch (Exception e) when (onA && e is HttpRequestException or TaskCanceledException or IOException or JsonException)
                {
                    // A died under this request: it was never acknowledged.
                    if (killed.Task.IsCompleted)
                    {
                        return;
                    }

                    throw;
                }
            }
        }

        var writers = new[]
        {
            Task.Run(() => WriteAsync(session.OnA, "a1", onA: true)),
            Task.Run(() => WriteAsync(session.OnA, "a2", onA: true)),
            Task.Run(() => WriteAsync(session.OnB, "b1", onA: false)),
            Task.Run(() => WriteAsync(session.OnB, "b2", onA: false)),
        };

        // Kill A only once both instances are demonstrably committing writes.
        await Eventually.TrueAsync(
            () => Volatile.Read(ref ackedByA) >= 15 && Volatile.Read(ref ackedByB) >= 15 || writers.Any(w => w.IsFaulted),
            "both instances acknowledged writes", TimeSpan.FromSeconds(60));
        Assert.DoesNotContain(writers, w => w.IsFaulted);
        cluster.A.Kill();
        killed.SetResult();
        await Task.WhenAll(writers);

        // B kept answering: every write sent to it after the kill was committed.
        Assert.Equal(2 * WritesThroughBAfterTheKill, afterKill.Count);
        Assert.All(afterKill, w => Assert.EndsWith(": 201", w, StringComparison.Ordinal));

        // Nothing acknowledged is lost: every board either instance answered 201 for is stored.
        var stored = (await session.OnB.GetFromJsonAsync<JsonElement>("/api/boards"))
            .EnumerateArray().ToDictionary(b => b.GetProperty("id").GetString()!, b => b.GetProperty("name").GetString()!, StringComparer.Ordinal);
        var lost = acknowledged.Where(a => !stored.TryGetValue(a.Key, out var name) || name != a.Value).Select(a => $"{a.Value} ({a.Key})").ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged writes are missing through B: {string.Join(", ", lost)}");

        // A's heartbeat expires: B sees itself alone.
        await Eventually.ReachAsync(() => ProcessCluster.LiveInstancesAsync(session.OnB), live => live == 1,
            "B's /healthz reports one live instance after A's heartbeat expired", TimeSpan.FromSeconds(30));

        // A restarts on the same settings and rejoins.
        await cluster.RestartAAsync();
        await Eventually.ReachAsync(() => ProcessCluster.LiveInstancesAsync(session.OnB), live => live == 2,
            "B's /healthz reports two live instances after A restarted", TimeSpan.FromSeconds(30));
        using var created = await session.OnA.PostAsJsonAsync("/api/boards", new { name = "after-rejoin" });
        await Expect.StatusAsync(HttpStatusCode.Created, created);
        var rejoined = await created.Content.ReadFromJsonAsync<JsonElement>();
        var readBack = await session.OnB.GetFromJsonAsync<JsonElement>($"/api/boards/{rejoined.GetProperty("id").GetString()}");
        Assert.Equal("after-rejoin", readBack.GetProperty("name").GetString());
    }

    /// <summary>
    /// A and B as <c>dotnet Labyrinth.Host.dll</c> processes configured as <see cref="ClusterPair"/>
    /// configures its in-process hosts: own data directories, one database (on SQLite B's file,
    /// plugin store and assets are links to A's), one Redis server and prefix.
    /// </summary>
    private sealed class ProcessCluster : IAsyncDisposable
    {
        private readonly string root = Path.Combine(Path.GetTempPath(), "labyrinth-cluster-proc-" + Guid.NewGuid().ToString("N"));
        private readonly string prefix = "p" + Guid.NewGuid().ToString("N")[..10];
        private RedisServer? redis;
        private TestDatabase.Database? database;

        public HostProcess A { get; private set; } = null!;

        public HostProcess B { get; private set; } = null!;

        public static async Task<ProcessCluster> StartAsync()
        {
            var cluster = new ProcessCluster();
            try
            {
                cluster.redis = await RedisServer.StartNewAsync();
                if (TestDatabase.IsPostgres)
                {
                    cluster.database = TestDatabase.Create();
                }

                var a = Directory.CreateDirectory(Path.Combine(cluster.root, "a")).FullName;
                var b = Directory.CreateDirectory(Path.Combine(cluster.root, "b")).FullName;
                cluster.A = await HostProcess.StartAsync(cluster.Environment(a, "a"), cluster.root);
                if (cluster.database is null)
                {
                    // A has migrated the database: B opens the same file, plugin store and assets.
                    File.CreateSymbolicLink(Path.Combine(b, "labyrinth.db"), Path.Combine(a, "labyrinth.db"));
                    Directory.CreateSymbolicLink(Path.Combine(b, "plugins"), Directory.CreateDirectory(Path.Combine(a, "plugins")).FullName);
                    Directory.CreateSymbolicLink(Path.Combine(b, "assets"), Directory.CreateDirectory(Path.Combine(a, "assets")).FullName);
                }

                cluster.B = await HostProcess.StartAsync(cluster.Environment(b, "b"), cluster.root);
                return cluster;
            }
            catch
            {
                await cluster.DisposeAsync();
                throw;
            }
        }

        public async Task RestartAAsync()
        {
            // Same address too: the session's client for A is what a load balancer would keep sending to.
            var (settings, address) = (A.Settings, A.BaseAddress);
            await A.DisposeAsync();
            A = await HostProcess.StartAsync(settings, root, address);
        }

        private Dictionary<string, string> Environment(string dataDir, string name)
        {
            var env = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["Labyrinth__DataDir"] = dataDir,
                ["Labyrinth__ExamplePluginsDir"] = "",
                ["Labyrinth__Redis__Configuration"] = redis!.Configuration,
                ["Labyrinth__Redis__Prefix"] = prefix,
                // A dead instance's heartbeat expires quickly, so B notices the kill within the test.
                ["Labyrinth__Redis__InstanceTimeoutSeconds"] = "2",
                ["Labyrinth__InstanceId"] = $"{name}-{prefix}",
                ["Labyrinth__LoginAttemptsPerMinute"] = "1000",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["Logging__LogLevel__Default"] = "Warning",
                // The setup link is logged by the host's own category at Information.
                ["Logging__LogLevel__Labyrinth"] = "Information",
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            };
            if (database is not null)
            {
                env["Labyrinth__Database__Provider"] = "Postgres";
                env["Labyrinth__Database__ConnectionString"] = database.ConnectionString;
                env["Labyrinth__Blobs__Provider"] = "Database";
            }

            return env;
        }

        /// <summary>The deployment's setup link as B printed it (A printed the same), completed on A: the admin's session on both.</summary>
        public async Task<Session> SetupAdminAsync()
        {
            var token = await Eventually.ReachAsync(() => Task.FromResult(B.SetupToken()), t => t is not null,
                "B printed the setup link", TimeSpan.FromSeconds(30));
            var session = new Session(A.BaseAddress, B.BaseAddress);
            using var response = await session.OnA.PostAsJsonAsync("/api/setup", new { token, userName = LabyrinthApp.AdminName, password = LabyrinthApp.Password });
            await Expect.StatusAsync(HttpStatusCode.OK, response);
            return session;
        }

        public static async Task<int> LiveInstancesAsync(HttpClient client)
        {
            var health = await client.GetFromJsonAsync<JsonElement>("/healthz");
            return health.GetProperty("checks").GetProperty("redis").TryGetProperty("liveInstances", out var live) ? live.GetInt32() : -1;
        }

        public async ValueTask DisposeAsync()
        {
            if (B is not null)
            {
                await B.DisposeAsync();
            }

            if (A is not null)
            {
                await A.DisposeAsync();
            }

            if (redis is not null)
            {
                await redis.DisposeAsync();
            }

            SqliteConnection.ClearAllPools();
            database?.Dispose();
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>One host process on a free loopback port; its output kept for the setup link and for failure messages.</summary>
    private sealed partial class HostProcess : IAsyncDisposable
    {
        private readonly Process process;
        private readonly ConcurrentQueue<string> output = new();

        private HostProcess(Process process, Dictionary<string, string> settings, Uri baseAddress)
        {
            this.process = process;
            Settings = settings;
            BaseAddress = baseAddress;
        }

        public Dictionary<string, string> Settings { get; }

        public Uri BaseAddress { get; }

        public static async Task<HostProcess> StartAsync(Dictionary<string, string> settings, string workingDirectory, Uri? address = null)
        {
            var baseAddress = address ?? new Uri($"http://127.0.0.1:{FreePort()}");
            var info = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = workingDirectory,
            };
            info.ArgumentList.Add(HostDll());
            info.ArgumentList.Add("--urls");
            info.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));
            foreach (var (key, value) in settings)
            {
                info.Environment[key] = value;
            }

            var host = new HostProcess(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start."), settings, baseAddress);
            host.process.OutputDataReceived += (_, e) => host.Keep(e.Data);
            host.process.ErrorDataReceived += (_, e) => host.Keep(e.Data);
            host.process.BeginOutputReadLine();
            host.process.BeginErrorReadLine();
            try
            {
                using var probe = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
                await Eventually.ReachAsync(
                    async () => host.process.HasExited ? $"exited with {host.process.ExitCode}: {host.Tail()}" : ((int)(await probe.GetAsync("/healthz")).StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    status => status == "200", $"{settings["Labyrinth__InstanceId"]} answers /healthz at {baseAddress}", TimeSpan.FromSeconds(90));
            }
            catch
            {
                await host.DisposeAsync();
                throw;
            }

            return host;
        }

        /// <summary>SIGKILL on Linux: no shutdown hooks, no flush, as <c>kill -9</c>.</summary>
        public void Kill() => process.Kill();

        public string? SetupToken()
        {
            var match = output.Select(l => SetupLink().Match(l)).LastOrDefault(m => m.Success);
            return match is null ? null : Uri.UnescapeDataString(match.Groups[1].Value);
        }

        private void Keep(string? line)
        {
            if (line is not null)
            {
                output.Enqueue(line);
            }
        }

        private string Tail() => string.Join('\n', output.TakeLast(40));

        [GeneratedRegex(@"/setup#token=(\S+)")]
        private static partial Regex SetupLink();

        private static string HostDll()
        {
            // The host built in the same configuration as these tests (they reference it, so it is built with them).
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            var dll = Path.Combine(PluginFileTests.RepoRoot(), "src", "Labyrinth.Host", "bin", configuration, "net10.0", "Labyrinth.Host.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build src/Labyrinth.Host -c {configuration} first.");
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    /// <summary>One browser session sent to either instance: the cookie one set is what the other receives (no sticky sessions).</summary>
    private sealed class Session
    {
        private readonly ConcurrentDictionary<string, string> cookies = new(StringComparer.Ordinal);

        public Session(Uri a, Uri b)
        {
            OnA = Client(a);
            OnB = Client(b);
        }

        public HttpClient OnA { get; }

        public HttpClient OnB { get; }

        private HttpClient Client(Uri baseAddress)
        {
            var client = new HttpClient(new Jar(cookies) { InnerHandler = new SocketsHttpHandler { UseCookies = false } })
            {
                BaseAddress = baseAddress,
                Timeout = TimeSpan.FromSeconds(30),
            };
            client.DefaultRequestHeaders.Add("X-Labyrinth-Request", "1");
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
