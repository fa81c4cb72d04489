using System.Net;
using System.Net.Http.Json;
using Labyrinth.Core.Rollouts;

namespace Labyrinth.Host.Tests.Cluster;

/// <summary>A host-wide count limit holds across instances: each instance's own gate serializes only itself.</summary>
public sealed partial class ClusterTests
{
    [Fact]
    public async Task Groups_CreatedOnAAndBAtOnceForTheLastPlaces_NeverExceedTheLimit()
    {
        const int free = 4;
        var prefix = $"limit-{Guid.NewGuid():N}"[..14];
        var existing = Convert.ToInt32(cluster.Pair.RunSql("SELECT COUNT(*) FROM Groups", scalar: true));
        var fillers = Enumerable.Range(0, GroupRules.MaxGroups - free - existing)
            .Select(i => $"('{Guid.NewGuid().ToString().ToUpperInvariant()}', '{prefix}-f{i}', '{prefix}-f{i}', '2026-01-01 00:00:00')");
        cluster.Pair.RunSql($"INSERT INTO Groups (Id, Name, NormalizedName, CreatedAt) VALUES {string.Join(", ", fillers)}", scalar: false);
        try
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
            {
                using var response = await (i % 2 == 0 ? cluster.Admin.OnA : cluster.Admin.OnB)
                    .PostAsJsonAsync("/api/admin/groups", new { name = $"{prefix}-r{i}" });
                return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
            }));

            var statuses = string.Join(", ", answers.GroupBy(a => a.StatusCode).Select(g => $"{g.Key}×{g.Count()}"));
            Assert.True(answers.Count(a => a.StatusCode == HttpStatusCode.Created) == free, statuses);
            Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.Created), a =>
            {
                Assert.Equal(HttpStatusCode.Conflict, a.StatusCode);
                Assert.Contains("\"code\":\"group.too_many\"", a.Body, StringComparison.Ordinal);
            });
            Assert.Equal(GroupRules.MaxGroups, Convert.ToInt32(cluster.Pair.RunSql("SELECT COUNT(*) FROM Groups", scalar: true)));
        }
        finally
        {
            // The fixture is shared: later tests create groups too.
            cluster.Pair.RunSql($"DELETE FROM Groups WHERE Name LIKE '{prefix}-%'", scalar: false);
        }
    }
}
