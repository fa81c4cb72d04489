using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Labyrinth.Core.Signing;
using Labyrinth.Host.Tests.Cards;
using Labyrinth.Host.Tests.Governance;

namespace Labyrinth.Host.Tests.Faults;

/// <summary>
/// One host whose data directory is a real 24 MiB tmpfs (see <see cref="TmpfsMount"/>), with a
/// signed test plugin and a board of card windows made while there is room. Each test fills the
/// disk to the last byte, writes, and frees the space again.
/// </summary>
public sealed class FullDiskHost : IAsyncLifetime
{
    public const string PluginId = "dev.test.fulldisk";

    private TmpfsMount? mount;

    internal LabyrinthApp App { get; private set; } = null!;

    internal HttpClient Admin { get; private set; } = null!;

    internal PublisherKey Key { get; } = PublisherKey.Generate("Full disk tests");

    internal JsonElement Board { get; private set; }

    internal List<string> Windows { get; } = [];

    internal TmpfsMount Mount => mount!;

    public async ValueTask InitializeAsync()
    {
        mount = TmpfsMount.Create(24);
        App = new LabyrinthApp(new Dictionary<string, string?>
        {
            ["Labyrinth:DataDir"] = Path.Combine(mount.Path, "data"),
            ["Labyrinth:ExamplePluginsDir"] = "",
            ["Labyrinth:Health:MinFreeDiskBytes"] = (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Admin = await App.SetupAdminAsync();
        using (var trusted = await Admin.PostAsJsonAsync("/api/admin/trust", new { name = Key.Name, publicKey = Convert.ToBase64String(Key.PublicKey) }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, trusted);
        }

        using (var installed = await Packages.UploadAsync(Admin, Packages.Zip(Packages.Sign(Packages.Plugin(PluginId, "1.0.0"), Key))))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, installed);
        }

        Board = await LabyrinthApp.CreateBoardAsync(Admin);
        for (var i = 0; i < 12; i++)
        {
            (Board, var window) = await Boards.SpawnAsync(Admin, Board, new { kind = "plugin", plugin = new { pluginId = PluginId, typeID = "t" } });
            Windows.Add(window.Id());
        }
    }

    /// <summary>A card state of about <paramref name="bytes"/> bytes that no other write shares (so SQLite must find new pages for it).</summary>
    internal static object Payload(int bytes) => new { payload = new { text = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(bytes * 3 / 4)) } };

    public async ValueTask DisposeAsync()
    {
        Admin?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        mount?.Dispose();
        Key.Dispose();
    }
}

public sealed class FullDiskTests(FullDiskHost host) : IClassFixture<FullDiskHost>
{
    [Fact]
    public async Task FullDisk_CardStateWrites_Answer507StorageFullNotVersionConflict()
    {
        var filler = host.Mount.Fill();
        var statuses = new List<HttpStatusCode>();
        try
        {
            // SQLite may still fit a write into pages its WAL already holds; distinct windows with
            // fresh 900 KB states need new pages within a few writes.
            JsonElement? full = null;
            foreach (var window in host.Windows)
            {
                using var response = await host.Admin.PutAsJsonAsync($"/api/cards/{host.Board.Id()}/{window}/payload", FullDiskHost.Payload(900 * 1024));
                statuses.Add(response.StatusCode);
                if (response.StatusCode == HttpStatusCode.InsufficientStorage)
                {
                    full = await Expect.ProblemAsync(HttpStatusCode.InsufficientStorage, "storage.full", response);
                    break;
                }
            }

            Assert.True(full is not null, "No write was refused as storage.full; statuses: " + string.Join(", ", statuses));
            Assert.All(statuses.SkipLast(1), s => Assert.Equal(HttpStatusCode.OK, s));
            Assert.Contains("disk is full", full!.Value.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains(host.App.Logs.Entries, e => e.Message.StartsWith("Storage full:", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(filler);
        }

        using var again = await host.Admin.PutAsJsonAsync($"/api/cards/{host.Board.Id()}/{host.Windows[^1]}/payload", FullDiskHost.Payload(1024));
        await Expect.StatusAsync(HttpStatusCode.OK, again);
    }

    [Fact]
    public async Task FullDisk_AssetUpload_Answers507StorageFull()
    {
        var filler = host.Mount.Fill();
        try
        {
            var png = CardsApp.Png.Concat(new byte[64 * 1024]).ToArray();

            using var response = await CardsApp.UploadRawAsync(host.Admin, png, "photo.png");

            await Expect.ProblemAsync(HttpStatusCode.InsufficientStorage, "storage.full", response);
        }
        finally
        {
            File.Delete(filler);
        }
    }

    [Fact]
    public async Task FullDisk_PluginUpload_Answers507StorageFull()
    {
        var filler = host.Mount.Fill();
        try
        {
            var files = Packages.Plugin("dev.test.fulldisk.big", "1.0.0", script: "export default '" + new string('a', 256 * 1024) + "';");

            using var response = await Packages.UploadAsync(host.Admin, Packages.Zip(Packages.Sign(files, host.Key)));

            await Expect.ProblemAsync(HttpStatusCode.InsufficientStorage, "storage.full", response);
        }
        finally
        {
            File.Delete(filler);
        }
    }

    [Fact]
    public async Task FullDisk_Healthz_ReportsDegradedWithFreeSpace()
    {
        var before = await host.Admin.GetJsonAsync("/healthz");
        var filler = host.Mount.Fill();
        JsonElement during;
        try
        {
            during = await host.Admin.GetJsonAsync("/healthz");
        }
        finally
        {
            File.Delete(filler);
        }

        Assert.Equal("ok", before.GetProperty("checks").GetProperty("disk").GetProperty("status").GetString());
        Assert.Equal("degraded", during.GetProperty("status").GetString());
        var disk = during.GetProperty("checks").GetProperty("disk");
        Assert.Equal("degraded", disk.GetProperty("status").GetString());
        Assert.True(disk.GetProperty("freeBytes").GetInt64() < 1024 * 1024);
        Assert.Equal(1024 * 1024, disk.GetProperty("minFreeBytes").GetInt64());
        Assert.Contains("Free some space", disk.GetProperty("description").GetString(), StringComparison.Ordinal);
    }
}

/// <summary>A restart on a full disk: nothing to migrate or stage, so nothing is written and the host comes up.</summary>
public sealed class FullDiskRestartTests
{
    [Fact]
    public async Task Restart_OnFullDiskWithExamplePlugins_StartsAndServes()
    {
        using var mount = TmpfsMount.Create(64);
        var settings = new Dictionary<string, string?>
        {
            ["Labyrinth:DataDir"] = Path.Combine(mount.Path, "data"),
            ["Labyrinth:Health:MinFreeDiskBytes"] = (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        await using (var first = new LabyrinthApp(settings))
        {
            using var admin = await first.SetupAdminAsync();
            Assert.NotEmpty((await admin.GetJsonAsync("/api/plugins")).EnumerateArray());
        }

        // A clean shutdown: every connection closed, as when the process exits.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var filler = mount.Fill();
        try
        {
            await using var second = new LabyrinthApp(settings);
            var client = await second.CreateClientAsync();
            using (var login = await client.PostAsJsonAsync("/api/auth/login", new { userName = LabyrinthApp.AdminName, password = LabyrinthApp.Password }))
            {
                await Expect.StatusAsync(HttpStatusCode.OK, login);
            }

            Assert.NotEmpty((await client.GetJsonAsync("/api/plugins")).EnumerateArray());
            Assert.Equal("degraded", (await client.GetJsonAsync("/healthz")).GetProperty("status").GetString());
            Assert.Empty(Directory.EnumerateDirectories(Path.Combine(mount.Path, "data", "plugins"), ".staging-*"));
        }
        finally
        {
            File.Delete(filler);
        }
    }
}
