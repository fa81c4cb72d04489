using System.Net;
using Labyrinth.Host.Tests.Governance;

namespace Labyrinth.Host.Tests.Cluster;

/// <summary>Installing on two instances at once ends as installing twice on one.</summary>
public sealed partial class ClusterTests
{
    [Fact]
    public async Task Install_SamePackageOnAAndBAtOnce_OneInstallsTheOtherIsUnchanged()
    {
        // A few rounds: each is a race between two full validations, and one lost race is enough.
        for (var round = 0; round < 4; round++)
        {
            var id = $"dev.test.race{Guid.NewGuid():N}"[..30];
            var package = Packages.Zip(Packages.Sign(Packages.Plugin(id, "1.0.0"), cluster.Publisher));
            var answers = await Task.WhenAll(
                Packages.UploadAsync(cluster.Admin.OnA, package),
                Packages.UploadAsync(cluster.Admin.OnB, package));
            try
            {
                var statuses = answers.Select(a => a.StatusCode).Order().ToArray();
                Assert.True(statuses is [HttpStatusCode.OK, HttpStatusCode.Created],
                    $"round {round}: {string.Join(", ", statuses)}: {string.Join(" | ", await Task.WhenAll(answers.Select(a => a.Content.ReadAsStringAsync())))}");
            }
            finally
            {
                foreach (var answer in answers)
                {
                    answer.Dispose();
                }
            }

            Assert.Equal(1L, Convert.ToInt64(cluster.Pair.RunSql($"SELECT COUNT(*) FROM AuditEntries WHERE PluginId = '{id}' AND Action = 'plugin.install'", scalar: true)));
        }
    }
}
