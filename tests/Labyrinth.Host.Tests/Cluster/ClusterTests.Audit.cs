extern alias cli;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using cli::Labyrinth.Cli;

namespace Labyrinth.Host.Tests.Cluster;

/// <summary>The audit chain stays one chain with writers on both instances, and the CLI reads it where the host keeps it.</summary>
public sealed partial class ClusterTests
{
    [Fact]
    public async Task AuditVerify_200ConcurrentWritesOverAAndB_AcceptsOneChain()
    {
        var before = Convert.ToInt64(cluster.Pair.RunSql("SELECT COUNT(*) FROM AuditEntries", scalar: true));
        var writes = Enumerable.Range(0, 200).Select(async i =>
        {
            var client = i % 2 == 0 ? cluster.Admin.OnA : cluster.Admin.OnB;
            using var created = await client.PostAsJsonAsync("/api/admin/groups", new { name = $"audit-{Guid.NewGuid():N}" });
            await Expect.StatusAsync(HttpStatusCode.Created, created);
        });
        await Task.WhenAll(writes);

        var (exit, report, error) = await VerifyAsync();

        Assert.True(exit == 0, $"audit verify exited {exit}: {report}{error}");
        Assert.True(report.GetProperty("valid").GetBoolean());
        Assert.Equal(before + 200, report.GetProperty("entriesChecked").GetInt64());
        // No fork: one row per sequence number, numbered 1..N without a gap.
        Assert.Equal(before + 200, Convert.ToInt64(cluster.Pair.RunSql("SELECT COUNT(DISTINCT PrevHash) FROM AuditEntries", scalar: true)));
        Assert.Equal(before + 200, Convert.ToInt64(cluster.Pair.RunSql("SELECT MAX(Sequence) FROM AuditEntries", scalar: true)));
    }

    [Fact]
    public async Task AuditVerify_TamperedRowInSharedDatabase_ReportsWhichEntry()
    {
        using (var created = await cluster.Admin.OnB.PostAsJsonAsync("/api/admin/groups", new { name = $"tamper-{Guid.NewGuid():N}" }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, created);
        }

        var sequence = Convert.ToInt64(cluster.Pair.RunSql("SELECT MAX(Sequence) FROM AuditEntries", scalar: true));
        var original = (string)cluster.Pair.RunSql($"SELECT DetailJson FROM AuditEntries WHERE Sequence = {sequence}", scalar: true)!;
        cluster.Pair.RunSql($"UPDATE AuditEntries SET DetailJson = '{{}}' WHERE Sequence = {sequence}", scalar: false);
        try
        {
            var (exit, report, _) = await VerifyAsync();

            Assert.Equal(1, exit);
            Assert.False(report.GetProperty("valid").GetBoolean());
            Assert.Equal(sequence, report.GetProperty("sequence").GetInt64());
        }
        finally
        {
            // The class shares one chain: put the row back for the tests that verify it afterwards.
            cluster.Pair.RunSql($"UPDATE AuditEntries SET DetailJson = '{original.Replace("'", "''", StringComparison.Ordinal)}' WHERE Sequence = {sequence}", scalar: false);
        }
    }

    private async Task<(int Exit, JsonElement Report, string Error)> VerifyAsync()
    {
        var (args, environment) = cluster.Pair.AuditVerifyCommand();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CliApp.RunAsync(args, new CliContext(output, error, name => environment.GetValueOrDefault(name)), TestContext.Current.CancellationToken);
        var text = output.ToString();
        return (exit, text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default, error.ToString());
    }
}
