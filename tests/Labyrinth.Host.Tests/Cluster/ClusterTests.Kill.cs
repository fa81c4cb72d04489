using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Labyrinth.Host.Features.Cluster;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Cluster;

/// <summary>A kill reaches every instance once, and ends what the plugin's cards have in flight wherever it runs.</summary>
public sealed partial class ClusterTests
{
    [Fact]
    public async Task Kill_OnA_IsOneChangeNoticeForB()
    {
        var applied = cluster.Pair.B.Services.GetRequiredService<ClusterGeneration>();
        var before = applied.Applied;
        try
        {
            using var kill = await cluster.Admin.OnA.PostAsJsonAsync($"/api/admin/plugins/{ClusterFixture.KillPlugin}/kill", new { reason = "Counting notices" });
            await Expect.StatusAsync(HttpStatusCode.OK, kill);

            // The kill answers after the ready barrier: B has applied every notice it sent.
            Assert.Equal(before + 1, applied.Applied);
        }
        finally
        {
            using var unkill = await cluster.Admin.OnA.PostAsJsonAsync($"/api/admin/plugins/{ClusterFixture.KillPlugin}/unkill", new { });
        }
    }

    [Fact]
    public async Task Kill_OnA_EndsTheCardsStreamOnA()
    {
        await KillEndsStreamAsync(throughB: false);
    }

    [Fact]
    public async Task Kill_OnA_EndsTheCardsStreamThroughB()
    {
        await KillEndsStreamAsync(throughB: true);
    }

    private async Task KillEndsStreamAsync(bool throughB)
    {
        var (member, boardId, windowId) = await cluster.CardAsync(ClusterFixture.KillPlugin, "fake");
        var client = throughB ? member.OnB : member.OnA;
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/cards/{boardId}/{windowId}/network/fake")
        {
            Content = JsonContent.Create(new { method = "GET", path = "/test/endless", stream = true }),
        }, HttpCompletionOption.ResponseHeadersRead);
        await Expect.StatusAsync(HttpStatusCode.OK, response);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        await reader.ReadLineAsync(); // head
        await reader.ReadLineAsync(); // first chunk: the upstream is streaming

        try
        {
            using (var kill = await cluster.Admin.OnA.PostAsJsonAsync($"/api/admin/plugins/{ClusterFixture.KillPlugin}/kill", new { reason = "Stop its streams" }))
            {
                await Expect.StatusAsync(HttpStatusCode.OK, kill);
            }

            var rest = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
            var last = JsonDocument.Parse(rest.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement;
            Assert.Equal("broker.revoked", last.GetProperty("error").GetProperty("code").GetString());
        }
        finally
        {
            using var unkill = await cluster.Admin.OnA.PostAsJsonAsync($"/api/admin/plugins/{ClusterFixture.KillPlugin}/unkill", new { });
        }
    }
}
