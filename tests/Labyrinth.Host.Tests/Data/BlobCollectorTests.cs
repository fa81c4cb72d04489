using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Infrastructure;
using Labyrinth.Host.Tests.Cards;
using Labyrinth.Host.Tests.Governance;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Data;

/// <summary>
/// Blobs nothing references leave the store: at once when their last reference goes, in a sweep
/// otherwise, and never while a writer is between storing bytes and committing the row naming them.
/// The directory store and the database store behave the same.
/// </summary>
public sealed class BlobCollectorTests
{
    private static readonly Dictionary<string, string?> DatabaseStore = new() { ["Labyrinth:Blobs:Provider"] = "Database" };

    [Theory]
    [InlineData("Directory")]
    [InlineData("Database")]
    public async Task Sweep_BlobNoRowReferences_IsRemovedAndReferencedBlobsStay(string provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = new SharedDatabase();
        var app = cluster.Host(new Dictionary<string, string?> { ["Labyrinth:Blobs:Provider"] = provider });
        var admin = await app.SetupAdminAsync();
        var blobs = app.Services.GetRequiredService<IBlobStore>();
        var kept = UniquePng();
        var asset = await CardsApp.UploadAsync(admin, kept);
        var (orphan, orphanBytes) = Blob("left by an upload that never committed its row");
        await blobs.PutAsync(orphan, orphanBytes, ct);

        var swept = await app.Services.GetRequiredService<BlobCollector>().SweepAsync(ct);

        Assert.True(swept.Ran);
        Assert.Equal(1, swept.Removed);
        Assert.Equal(orphanBytes.Length, swept.Bytes);
        Assert.Null(await blobs.GetAsync(orphan, ct));
        Assert.Equal(kept, await blobs.GetAsync(Sha(kept), ct));
        Assert.Equal(kept, await admin.GetByteArrayAsync($"/api/assets/{asset.Id()}/content", ct));
    }

    [Theory]
    [InlineData("Directory")]
    [InlineData("Database")]
    public async Task Sweep_WhileAWriterHoldsItsBlobBeforeTheRowCommits_KeepsTheBlob(string provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = new SharedDatabase();
        var app = cluster.Host(new Dictionary<string, string?> { ["Labyrinth:Blobs:Provider"] = provider });
        var blobs = app.Services.GetRequiredService<IBlobStore>();
        var collector = app.Services.GetRequiredService<BlobCollector>();
        var bytes = UniquePng();
        var sha = Sha(bytes);

        BlobCollection swept;
        Task<BlobCollection> collecting;
        await using (await app.Services.GetRequiredService<BlobGuard>().HoldForWriteAsync(ct))
        {
            // An upload: its bytes are stored, its row is not committed yet.
            await blobs.PutAsync(sha, bytes, ct);
            swept = await collector.SweepAsync(ct);
            collecting = collector.CollectAsync([sha], BlobCollector.ReasonAssetDeleted, ct);
            await AddAssetRowAsync(app, sha, bytes.Length, ct);
        }

        var collected = await collecting;

        Assert.False(swept.Ran);
        Assert.Equal(0, collected.Removed);
        Assert.Equal(bytes, await blobs.GetAsync(sha, ct));
    }

    [Theory]
    [InlineData("Directory")]
    [InlineData("Database")]
    public async Task AssetDelete_SameBytesInAnotherAsset_KeepsTheBlobUntilTheLastGoes(string provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = new SharedDatabase();
        var app = cluster.Host(new Dictionary<string, string?> { ["Labyrinth:Blobs:Provider"] = provider });
        var admin = await app.SetupAdminAsync();
        var blobs = app.Services.GetRequiredService<IBlobStore>();
        var bytes = UniquePng();
        var first = await CardsApp.UploadAsync(admin, bytes, "first.png");
        var second = await CardsApp.UploadAsync(admin, bytes, "second.png");

        await DeleteAsync(admin, $"/api/assets/{first.Id()}");
        var afterFirst = await blobs.GetAsync(Sha(bytes), ct);
        await DeleteAsync(admin, $"/api/assets/{second.Id()}");

        Assert.Equal(bytes, afterFirst);
        Assert.Null(await blobs.GetAsync(Sha(bytes), ct));
    }

    /// <summary>Plugin files are blobs of the database store (the directory store keeps them per version, removed with the version).</summary>
    [Fact]
    public async Task Uninstall_OneVersion_RemovesOnlyBlobsNoOtherVersionOrAssetHas()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await GovernanceHost.StartAsync(DatabaseStore);
        var blobs = host.App.Services.GetRequiredService<IBlobStore>();
        var png = UniquePng();
        var onlyV1 = Encoding.UTF8.GetBytes("export const onlyInV1 = '" + Guid.NewGuid() + "';");
        var withQ = Encoding.UTF8.GetBytes("export const alsoInQ = '" + Guid.NewGuid() + "';");
        var shared = "export default '" + Guid.NewGuid() + "';";
        await InstallAsync(host, "dev.test.gcp", "1.0.0", shared, new() { ["cards/only.js"] = onlyV1, ["cards/common.js"] = withQ, ["img/logo.png"] = png });
        await InstallAsync(host, "dev.test.gcp", "2.0.0", shared, []);
        await InstallAsync(host, "dev.test.gcq", "1.0.0", "export default 'q';", new() { ["cards/common.js"] = withQ });
        await CardsApp.UploadAsync(host.Admin, png, "logo.png");

        await DeleteAsync(host.Admin, "/api/admin/plugins/dev.test.gcp?version=1.0.0");
        var afterVersion = new
        {
            OnlyV1 = await blobs.GetAsync(Sha(onlyV1), ct),
            Shared = await blobs.GetAsync(Sha(Encoding.UTF8.GetBytes(shared)), ct),
            WithQ = await blobs.GetAsync(Sha(withQ), ct),
            Asset = await blobs.GetAsync(Sha(png), ct),
        };
        await DeleteAsync(host.Admin, "/api/admin/plugins/dev.test.gcp");

        Assert.Null(afterVersion.OnlyV1);
        Assert.NotNull(afterVersion.Shared);
        Assert.NotNull(afterVersion.WithQ);
        Assert.NotNull(afterVersion.Asset);
        Assert.Null(await blobs.GetAsync(Sha(Encoding.UTF8.GetBytes(shared)), ct));
        Assert.NotNull(await blobs.GetAsync(Sha(withQ), ct));
        Assert.NotNull(await blobs.GetAsync(Sha(png), ct));
    }

    /// <summary>
    /// The version kept for rollback keeps its blobs through a sweep: a host whose own copy of the
    /// files is gone (another instance's directory, a replaced machine) loads it from the store.
    /// </summary>
    [Fact]
    public async Task Rollback_AfterASweep_LoadsTheOlderVersionFromTheStore()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await GovernanceHost.StartAsync(DatabaseStore);
        var v1 = "export default 'v1 " + Guid.NewGuid() + "';";
        await InstallAsync(host, "dev.test.gcr", "1.0.0", v1, []);
        await InstallAsync(host, "dev.test.gcr", "2.0.0", "export default 'v2';", []);

        var swept = await host.App.Services.GetRequiredService<BlobCollector>().SweepAsync(ct);
        Directory.Delete(Path.Combine(host.DataDir, "plugins", "dev.test.gcr", "1.0.0"), recursive: true);
        await host.RestartAsync();
        using var rollback = await host.Admin.SendJsonAsync(HttpMethod.Post, "/api/admin/plugins/dev.test.gcr/activate", new { version = "1.0.0", rollback = true });

        Assert.True(swept.Ran);
        Assert.Equal(0, swept.Removed);
        await Expect.StatusAsync(HttpStatusCode.OK, rollback);
        var loaded = host.App.Services.GetRequiredService<PluginCatalog>().FindVersion("dev.test.gcr", "1.0.0");
        Assert.NotNull(loaded);
        Assert.Equal(v1, Encoding.UTF8.GetString(loaded.Files["cards/t.js"].Content));
    }

    private static async Task InstallAsync(GovernanceHost host, string id, string version, string script, Dictionary<string, byte[]> extra)
    {
        var files = Packages.Plugin(id, version, script: script);
        foreach (var (path, bytes) in extra)
        {
            files[path] = bytes;
        }

        using var installed = await Packages.UploadAsync(host.Admin, Packages.Zip(Packages.Sign(files, host.Key)), rollback: true);
        await Expect.StatusAsync(HttpStatusCode.Created, installed);
    }

    private static async Task DeleteAsync(HttpClient client, string url)
    {
        using var deleted = await client.DeleteAsync(url);
        await Expect.StatusAsync(HttpStatusCode.NoContent, deleted);
    }

    private static async Task AddAssetRowAsync(LabyrinthApp app, string sha, long bytes, CancellationToken ct)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        db.Assets.Add(new AssetEntity
        {
            Id = Guid.NewGuid(),
            OwnerId = Guid.NewGuid(),
            Sha256 = sha,
            Type = "image",
            MediaType = "image/png",
            Name = "racing.png",
            Bytes = bytes,
            CreatedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>A PNG (the sniffer reads its signature) whose bytes no other test has.</summary>
    internal static byte[] UniquePng() => [.. CardsApp.Png, .. Guid.NewGuid().ToByteArray()];

    internal static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static (string Sha, byte[] Bytes) Blob(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text + " " + Guid.NewGuid());
        return (Sha(bytes), bytes);
    }

    internal static IEnumerable<string> FileHashes(string filesJson) =>
        (JsonSerializer.Deserialize<List<StoredFile>>(filesJson, JsonSerializerOptions.Web) ?? []).Select(f => f.Sha256);
}
