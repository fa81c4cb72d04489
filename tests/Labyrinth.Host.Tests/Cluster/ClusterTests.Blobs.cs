using System.Text;
using Labyrinth.Host.Infrastructure;
using Labyrinth.Host.Tests.Cards;
using Labyrinth.Host.Tests.Data;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Cluster;

/// <summary>Two instances cleaning the blob store at once remove each blob once, and nothing referenced.</summary>
public sealed partial class ClusterTests
{
    [Fact]
    public async Task BlobSweep_OnAAndBAtOnce_RemovesEachOrphanOnceAndNothingReferenced()
    {
        var ct = TestContext.Current.CancellationToken;
        var member = await cluster.Pair.MemberAsync(cluster.Admin);
        var kept = BlobCollectorTests.UniquePng();
        var asset = await CardsApp.UploadAsync(member.OnA, kept);
        var blobs = cluster.Pair.A.Services.GetRequiredService<IBlobStore>();
        await cluster.Pair.A.Services.GetRequiredService<BlobCollector>().SweepAsync(ct); // what earlier tests left
        var orphans = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var bytes = Encoding.UTF8.GetBytes($"orphan {i} {Guid.NewGuid()}");
            orphans.Add(BlobCollectorTests.Sha(bytes));
            await blobs.PutAsync(orphans[^1], bytes, ct);
        }

        var pluginFiles = Convert.ToString(cluster.Pair.RunSql($"SELECT FilesJson FROM PluginVersions WHERE PluginId = '{ClusterFixture.NetPlugin}'", scalar: true), System.Globalization.CultureInfo.InvariantCulture)!;

        var swept = await Task.WhenAll(
            cluster.Pair.A.Services.GetRequiredService<BlobCollector>().SweepAsync(ct),
            cluster.Pair.B.Services.GetRequiredService<BlobCollector>().SweepAsync(ct));

        Assert.Equal(orphans.Count, swept.Sum(s => s.Removed));
        foreach (var orphan in orphans)
        {
            Assert.Null(await blobs.GetAsync(orphan, ct));
        }

        Assert.Equal(kept, await member.OnB.GetByteArrayAsync($"/api/assets/{asset.Id()}/content", ct));
        if (blobs.IsShared)
        {
            foreach (var sha in BlobCollectorTests.FileHashes(pluginFiles))
            {
                Assert.NotNull(await blobs.GetAsync(sha, ct));
            }
        }
    }
}
