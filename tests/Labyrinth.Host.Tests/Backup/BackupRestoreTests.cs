using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Labyrinth.Backup;
using Labyrinth.Core.Signing;
using Labyrinth.FakeUpstream;
using Labyrinth.Host.Tests.Broker;
using Labyrinth.Host.Tests.Governance;

namespace Labyrinth.Host.Tests.Backup;

/// <summary>
/// The drill a person would run: a real host (Kestrel) with plugins in several states, an asset, a
/// card snapshot, a secret and a card granted a network service keeps taking card-state writes while
/// a backup is taken; the backup is verified, restored into an empty directory, and a second host
/// started on it must serve the same state and reach the service with the restored secret.
/// </summary>
public sealed class BackupRestoreTests
{
    private const string Secret = "sk-backup-drill-0123456789abcdef";
    private const string NetCard = "dev.test.netcard";
    private const string Retired = "dev.test.retired";

    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89];

    [Theory(Timeout = 180_000)]
    [InlineData("download")]
    [InlineData("cli")]
    public async Task Backup_WhileCardStateIsWritten_RestoredHostServesEverythingAcknowledgedBefore(string route)
    {
        await using var upstream = await FakeUpstreamServer.StartAsync(Secret);
        upstream.State.ChunkDelay = TimeSpan.Zero;
        var dataDir = Path.Combine(Path.GetTempPath(), "labyrinth-drill-" + Guid.NewGuid().ToString("N"));
        var work = Directory.CreateTempSubdirectory("labyrinth-drill-work-").FullName;
        try
        {
            await using var source = new LabyrinthApp(Settings(dataDir), kestrel: true);
            var admin = await source.SetupAdminAsync();
            var (board, window) = await ArrangeAsync(admin, upstream);
            var payloadUrl = $"/api/cards/{board}/{window}/payload";

            // A client writing card state as fast as the host acknowledges it, for the whole backup.
            using var stop = new CancellationTokenSource();
            var acknowledged = 0L;
            var writer = Task.Run(async () =>
            {
                using var client = await source.CreateClientAsync();
                using (var login = await client.PostAsJsonAsync("/api/auth/login", new { userName = LabyrinthApp.AdminName, password = LabyrinthApp.Password }))
                {
                    await Expect.StatusAsync(HttpStatusCode.OK, login);
                }

                for (var n = 1L; !stop.IsCancellationRequested; n++)
                {
                    using var put = await client.PutAsJsonAsync(payloadUrl, new { payload = new { n } }, CancellationToken.None);
                    await Expect.StatusAsync(HttpStatusCode.OK, put);
                    Interlocked.Exchange(ref acknowledged, n);
                }
            });
            await Eventually.ReachAsync(() => Task.FromResult(Interlocked.Read(ref acknowledged)), n => n >= 20 || writer.IsCompleted, "20 card-state writes acknowledged");

            var before = Interlocked.Read(ref acknowledged);
            var archive = Path.Combine(work, "backup.zip");
            if (route == "download")
            {
                await DownloadAsync(admin, archive);
            }
            else
            {
                await BackupFiles.CreateAsync(BackupSource.ForDataDirectory(dataDir, "test"), archive, null, TestContext.Current.CancellationToken);
            }

            var afterBackup = Interlocked.Read(ref acknowledged);
            await Eventually.ReachAsync(() => Task.FromResult(Interlocked.Read(ref acknowledged)), n => n > afterBackup + 5 || writer.IsCompleted, "more writes acknowledged after the backup");
            await stop.CancelAsync();
            await writer;
            Assert.True(afterBackup > before, "the backup was taken while writes kept being acknowledged");

            var expected = await ObservedStateAsync(admin, board, window);

            var verification = await BackupVerifier.VerifyAsync(archive, null, TestContext.Current.CancellationToken);
            Assert.True(verification.IsValid, string.Join("\n", verification.Problems.Select(p => p.Message)));
            var restoredDir = Path.Combine(work, "restored");
            var restore = await BackupRestorer.RestoreAsync(archive, restoredDir, null, TestContext.Current.CancellationToken);
            Assert.True(restore.IsRestored, string.Join("\n", restore.Problems.Select(p => p.Message)));

            await using var restored = new LabyrinthApp(Settings(restoredDir));
            var client = await restored.CreateClientAsync();
            using (var login = await client.PostAsJsonAsync("/api/auth/login", new { userName = LabyrinthApp.AdminName, password = LabyrinthApp.Password }))
            {
                await Expect.StatusAsync(HttpStatusCode.OK, login);
            }

            var payload = (await client.GetJsonAsync(payloadUrl)).GetProperty("payload").GetProperty("n").GetInt64();
            Assert.InRange(payload, before, afterBackup);

            var actual = await ObservedStateAsync(client, board, window);
            Assert.Equal(expected.Board, actual.Board);
            Assert.Equal(expected.Plugins, actual.Plugins);
            Assert.Equal(expected.Trust, actual.Trust);
            Assert.Equal(expected.Assets, actual.Assets);
            Assert.Equal(expected.AssetBytes, actual.AssetBytes);
            Assert.Equal(expected.Snapshot, actual.Snapshot);
            Assert.Equal(expected.Secrets, actual.Secrets);

            var audit = await client.GetJsonAsync("/api/admin/audit/verify");
            Assert.True(audit.GetProperty("valid").GetBoolean(), audit.GetRawText());
            Assert.Equal(verification.Manifest!.Audit.Entries, audit.GetProperty("entriesChecked").GetInt32());

            var before401 = upstream.State.RequestCount;
            using var call = await client.PostAsJsonAsync($"/api/cards/{board}/{window}/network/fake", new { method = "GET", path = "/models" });
            await Expect.StatusAsync(HttpStatusCode.OK, call);
            var answer = Ndjson.Parse(await call.Content.ReadAsStringAsync());
            Assert.Equal(200, answer.Status);
            Assert.True(upstream.State.RequestCount > before401);
            Assert.Equal("Bearer " + Secret, upstream.State.LastHeaders["authorization"]);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var dir in new[] { dataDir, work })
            {
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private static Dictionary<string, string?> Settings(string dataDir) => new()
    {
        ["Labyrinth:DataDir"] = dataDir,
        ["Labyrinth:ExamplePluginsDir"] = "",
        ["Labyrinth:LoginAttemptsPerMinute"] = "100000",
    };

    /// <summary>
    /// Two plugins in every governance state that must survive: a signed plugin whose active version
    /// was rolled back with the newer version killed, and a plugin killed as a whole; a service and
    /// its shared secret; an asset; a board with the card granted the service and a snapshot.
    /// </summary>
    private static async Task<(string Board, string Window)> ArrangeAsync(HttpClient admin, RunningFakeUpstream upstream)
    {
        using var key = PublisherKey.Generate("Drill publisher");
        using (var trusted = await admin.PostAsJsonAsync("/api/admin/trust", new { name = key.Name, publicKey = Convert.ToBase64String(key.PublicKey) }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, trusted);
        }

        foreach (var (id, version) in new[] { (NetCard, "1.0.0"), (NetCard, "1.1.0"), (Retired, "2.0.0") })
        {
            using var installed = await Packages.UploadAsync(admin, Packages.Zip(Packages.Sign(NetCardFiles(id, version), key)));
            await Expect.StatusAsync(HttpStatusCode.Created, installed);
        }

        await PostOkAsync(admin, $"/api/admin/plugins/{NetCard}/activate", new { version = "1.0.0", rollback = true });
        await PostOkAsync(admin, $"/api/admin/plugins/{NetCard}/kill", new { version = "1.1.0", reason = "bad release" });
        await PostOkAsync(admin, $"/api/admin/plugins/{Retired}/kill", new { reason = "retired" });

        using (var service = await admin.PostAsJsonAsync("/api/admin/services", new
        {
            id = "fake",
            displayName = "Fake LLM",
            baseUrl = upstream.BaseUrl,
            methods = new[] { "GET" },
            pathPrefixes = new[] { "/models" },
            secret = new { @in = "header", name = "Authorization", template = "Bearer {secret}" },
            timeoutSeconds = 30,
            maxRequestBytes = 1024,
            maxResponseBytes = 1024 * 1024,
            ratePerMinute = 1000,
            allowStreaming = true,
            allowPrivateNetwork = true,
            enabled = true,
        }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, service);
        }

        using (var secret = await admin.PostAsJsonAsync("/api/admin/secrets", new { name = "Fake key", serviceId = "fake", value = Secret }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, secret);
        }

        using (var upload = await admin.PostAsync("/api/assets?name=diagram.png", new ByteArrayContent(Png) { Headers = { ContentType = new("application/octet-stream") } }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, upload);
        }

        var board = await LabyrinthApp.CreateBoardAsync(admin, "Drill");
        var (_, window) = await Boards.SpawnAsync(admin, board, new { kind = "plugin", plugin = new { pluginId = NetCard, typeID = "net" } });
        using (var grant = await admin.PostAsJsonAsync($"/api/cards/{board.Id()}/{window.Id()}/grants", new { capability = "network:fake" }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, grant);
        }

        using (var snapshot = await admin.PutAsJsonAsync($"/api/cards/{board.Id()}/{window.Id()}/snapshot", new { mediaType = "image/png", data = Convert.ToBase64String(Png) }))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, snapshot);
        }

        return (board.Id(), window.Id());
    }

    /// <summary>What a person sees of the host, as text to compare: board, plugins (versions, trust, kill states), keys, assets, snapshot, secrets.</summary>
    private static async Task<Observed> ObservedStateAsync(HttpClient client, string board, string window)
    {
        var assets = await client.GetJsonAsync("/api/assets");
        var assetId = assets[0].GetProperty("id").GetString();
        return new Observed(
            (await client.GetJsonAsync($"/api/boards/{board}")).GetRawText(),
            (await client.GetJsonAsync("/api/admin/plugins")).GetRawText(),
            (await client.GetJsonAsync("/api/admin/trust")).GetRawText(),
            assets.GetRawText(),
            Convert.ToBase64String(await client.GetByteArrayAsync($"/api/assets/{assetId}/content")),
            Convert.ToBase64String(await client.GetByteArrayAsync($"/api/cards/{board}/{window}/snapshot")),
            (await client.GetJsonAsync("/api/admin/secrets")).GetRawText());
    }

    private static async Task DownloadAsync(HttpClient admin, string path)
    {
        using var response = await admin.GetAsync("/api/admin/backups/download", HttpCompletionOption.ResponseHeadersRead);
        await Expect.StatusAsync(HttpStatusCode.OK, response);
        await using var file = File.Create(path);
        await response.Content.CopyToAsync(file);
    }

    private static async Task PostOkAsync(HttpClient admin, string url, object body)
    {
        using var response = await admin.PostAsJsonAsync(url, body);
        await Expect.StatusAsync(HttpStatusCode.OK, response);
    }

    private static Dictionary<string, byte[]> NetCardFiles(string id, string version)
    {
        var manifest = new
        {
            id,
            name = "Network card",
            version,
            minHostAPIVersion = "1.0.0",
            cards = new[]
            {
                new { typeID = "net", name = "Net", runtime = new { kind = "web", entry = "cards/net.js" }, defaultSizePt = new { width = 320, height = 240 }, capabilities = new[] { "network:fake" } },
            },
        };
        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["manifest.json"] = JsonSerializer.SerializeToUtf8Bytes(manifest),
            ["cards/net.js"] = Encoding.UTF8.GetBytes($"export function mountPlugin() {{ return () => {{}}; }} // {version}"),
        };
    }

    private sealed record Observed(string Board, string Plugins, string Trust, string Assets, string AssetBytes, string Snapshot, string Secrets);
}
