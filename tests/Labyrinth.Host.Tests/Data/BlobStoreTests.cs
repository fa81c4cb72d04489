using System.Security.Cryptography;
using System.Text;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Assets;
using Labyrinth.Host.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Data;

/// <summary>The content-addressed blob store, in the data directory and in the database.</summary>
public sealed class BlobStoreTests
{
    [Theory]
    [InlineData("Directory")]
    [InlineData("Database")]
    public async Task PutThenGet_EitherStore_ReturnsTheSameBytes(string provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = new SharedDatabase();
        var app = cluster.Host(new Dictionary<string, string?> { ["Labyrinth:Blobs:Provider"] = provider });
        var blobs = app.Services.GetRequiredService<IBlobStore>();
        var (sha, bytes) = Blob("round trip " + provider);

        await blobs.PutAsync(sha, bytes, ct);
        await blobs.PutAsync(sha, bytes, ct); // the same bytes again: a no-op, not a failure

        Assert.Equal(provider == "Database", blobs.IsShared);
        Assert.Equal(bytes, await blobs.GetAsync(sha, ct));
        Assert.Equal(bytes, blobs.Get(sha));
        await blobs.DeleteAsync(sha, ct);
        Assert.Null(await blobs.GetAsync(sha, ct));
    }

    [Theory]
    [InlineData("Directory")]
    [InlineData("Database")]
    public async Task Put_BytesNotMatchingTheirName_IsRefused(string provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = new SharedDatabase();
        var app = cluster.Host(new Dictionary<string, string?> { ["Labyrinth:Blobs:Provider"] = provider });
        var blobs = app.Services.GetRequiredService<IBlobStore>();
        var (sha, _) = Blob("named");

        await Assert.ThrowsAsync<ArgumentException>(() => blobs.PutAsync(sha, Encoding.UTF8.GetBytes("other bytes"), ct));
        await Assert.ThrowsAsync<ArgumentException>(() => blobs.GetAsync("../../etc/passwd", ct));
        Assert.Null(await blobs.GetAsync(sha, ct));
    }

    [Fact]
    public async Task Get_RowChangedInTheDatabase_IsNotServed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = new SharedDatabase();
        var app = cluster.Host(new Dictionary<string, string?> { ["Labyrinth:Blobs:Provider"] = "Database" });
        var blobs = app.Services.GetRequiredService<IBlobStore>();
        var (sha, bytes) = Blob("tamper me");
        await blobs.PutAsync(sha, bytes, ct);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
            await db.Blobs.Where(b => b.Sha256 == sha).ExecuteUpdateAsync(u => u.SetProperty(b => b.Content, Encoding.UTF8.GetBytes("evil")), ct);
        }

        Assert.Null(await blobs.GetAsync(sha, ct));
    }

    [Fact]
    public async Task Asset_StoredByOneInstance_IsServedFromTheOtherInstancesDirectory()
    {
        Assert.SkipUnless(TestDatabase.IsPostgres, "Instances share blobs through PostgreSQL (LABYRINTH_TEST_DB=postgres).");
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = new SharedDatabase();
        var a = cluster.Host();
        var b = cluster.Host();
        var (sha, bytes) = Blob("uploaded on A");
        var onA = a.Services.GetRequiredService<AssetStore>();
        var temp = Path.GetTempFileName();
        await File.WriteAllBytesAsync(temp, bytes, ct);
        onA.Commit(temp, sha);
        await onA.ShareAsync(sha, ct);

        var path = await b.Services.GetRequiredService<AssetStore>().LocalPathAsync(sha, ct);

        Assert.NotNull(path);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(path, ct));
        Assert.NotEqual(onA.PathFor(sha), path); // B's own directory now caches it
    }

    private static (string Sha, byte[] Bytes) Blob(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text + " " + Guid.NewGuid());
        return (Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes);
    }
}
