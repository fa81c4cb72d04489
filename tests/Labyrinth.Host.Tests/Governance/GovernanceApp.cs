using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Labyrinth.Core.Signing;
using Microsoft.Data.Sqlite;

namespace Labyrinth.Host.Tests.Governance;

/// <summary>
/// A host on a data directory the test owns (so a second host can reopen it, and the test can
/// reach the SQLite file), without the example plugins, with an admin and a trusted test key.
/// </summary>
internal sealed class GovernanceHost : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string?> settings;

    private GovernanceHost(string dataDir, IReadOnlyDictionary<string, string?> settings)
    {
        DataDir = dataDir;
        this.settings = settings;
        App = Create(dataDir, settings);
    }

    public string DataDir { get; }
    public LabyrinthApp App { get; private set; }
    public HttpClient Admin { get; private set; } = null!;
    public PublisherKey Key { get; } = PublisherKey.Generate("Test publisher");

    public string Database => Path.Combine(DataDir, "labyrinth.db");

    /// <param name="settings">Extra configuration, kept across <see cref="RestartAsync"/>.</param>
    public static async Task<GovernanceHost> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "labyrinth-gov-" + Guid.NewGuid().ToString("N"));
        var host = new GovernanceHost(dir, settings ?? new Dictionary<string, string?>());
        host.Admin = await host.App.SetupAdminAsync();
        using var trusted = await host.Admin.PostAsJsonAsync("/api/admin/trust", new { name = host.Key.Name, publicKey = Convert.ToBase64String(host.Key.PublicKey) });
        await Expect.StatusAsync(HttpStatusCode.Created, trusted);
        return host;
    }

    /// <summary>Stops the host and starts a new one on the same data directory; the admin signs in again.</summary>
    public async Task RestartAsync()
    {
        await App.DisposeAsync();
        App = Create(DataDir, settings);
        Admin = await App.CreateClientAsync();
        using var login = await Admin.PostAsJsonAsync("/api/auth/login", new { userName = LabyrinthApp.AdminName, password = LabyrinthApp.Password });
        await Expect.StatusAsync(HttpStatusCode.OK, login);
    }

    public async Task<HttpResponseMessage> InstallAsync(string id, string version, IReadOnlyDictionary<string, string>? dependencies = null, string script = "export default 1;", bool rollback = false) =>
        await Packages.UploadAsync(Admin, Packages.Zip(Packages.Sign(Packages.Plugin(id, version, dependencies, script), Key)), rollback);

    public async Task InstallOkAsync(string id, string version, IReadOnlyDictionary<string, string>? dependencies = null)
    {
        using var response = await InstallAsync(id, version, dependencies);
        await Expect.StatusAsync(HttpStatusCode.Created, response);
    }

    /// <summary>One value from the host's database (SQLite, or PostgreSQL under LABYRINTH_TEST_DB=postgres).</summary>
    public long Scalar(string sql) => Convert.ToInt64(TestDatabase.Run(DataDir, sql, scalar: true), System.Globalization.CultureInfo.InvariantCulture);

    public void Execute(string sql) => TestDatabase.Run(DataDir, sql, scalar: false);

    /// <summary>Leftover staging/upload/trash directories and files in the plugin store.</summary>
    public string[] StoreLeftovers() =>
        Directory.EnumerateFileSystemEntries(Path.Combine(DataDir, "plugins")).Select(Path.GetFileName).Where(n => n!.StartsWith('.')).ToArray()!;

    public async Task<JsonElement> PluginAsync(string id) =>
        (await Admin.GetJsonAsync("/api/admin/plugins")).EnumerateArray().Single(p => p.Id() == id);

    public async ValueTask DisposeAsync()
    {
        Key.Dispose();
        await App.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    // Kestrel, not TestServer: plugin file serving matches on the raw request target, as a real socket gives it.
    private static LabyrinthApp Create(string dir, IReadOnlyDictionary<string, string?> settings) =>
        new(new Dictionary<string, string?>(settings) { ["Labyrinth:DataDir"] = dir, ["Labyrinth:ExamplePluginsDir"] = "" }, kestrel: true);
}
