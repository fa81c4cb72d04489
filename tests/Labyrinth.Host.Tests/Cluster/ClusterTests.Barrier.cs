using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Labyrinth.Host.Features.Cluster;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Tests.Governance;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Cluster;

/// <summary>
/// The two-phase ready barrier: a change that offers something new is offered by no instance until
/// every live one has loaded it; a kill is enforced as heard, whatever is being prepared.
/// </summary>
public sealed partial class ClusterTests
{
    [Fact]
    public async Task Install_WhileBIsStillPreparing_IsOfferedOnNeitherUntilBothHaveIt()
    {
        var id = $"dev.test.barrier{Guid.NewGuid():N}"[..30];
        await using var hold = HoldPrepareOnB();

        var upload = Task.Run(() => Packages.UploadAsync(cluster.Admin.OnA, SignedPackage(id)));
        await hold.Entered.WaitAsync(TimeSpan.FromSeconds(30));

        // A has loaded the version and asked B to; B is still loading: nobody offers it yet.
        Assert.Null(await OfferedVersionAsync(cluster.Admin.OnA, id));
        Assert.Null(await OfferedVersionAsync(cluster.Admin.OnB, id));
        Assert.False(upload.IsCompleted, "the upload answered before B had prepared the version");

        hold.Release();
        using var answer = await upload;

        await Expect.StatusAsync(HttpStatusCode.Created, answer);
        Assert.Equal("1.0.0", await OfferedVersionAsync(cluster.Admin.OnA, id));
        Assert.Equal("1.0.0", await OfferedVersionAsync(cluster.Admin.OnB, id));
    }

    [Fact]
    public async Task Install_WhenBCannotLoadIt_AnswersNotPreparedAndChangesNothing()
    {
        var id = $"dev.test.refused{Guid.NewGuid():N}"[..30];
        var preparation = cluster.Pair.B.Services.GetRequiredService<ClusterPreparation>();
        preparation.BeforeAnswer = (_, _) => throw new UnauthorizedAccessException("Access to the path '/srv/labyrinth-b/plugins/staging/card.js' is denied.");
        try
        {
            using var refused = await Packages.UploadAsync(cluster.Admin.OnA, SignedPackage(id));

            var problem = await Expect.ProblemAsync(HttpStatusCode.ServiceUnavailable, "cluster.not_prepared", refused);
            var detail = problem.GetProperty("detail").GetString();
            Assert.Contains("b-" + cluster.Pair.Prefix + ": it cannot read or write its plugin files", detail, StringComparison.Ordinal);
            // What kind of failure, not the exception's text: a server path stays in B's log.
            Assert.DoesNotContain("/srv/labyrinth-b", detail, StringComparison.Ordinal);
        }
        finally
        {
            preparation.BeforeAnswer = null;
        }

        Assert.Null(await OfferedVersionAsync(cluster.Admin.OnA, id));
        Assert.Null(await OfferedVersionAsync(cluster.Admin.OnB, id));
        Assert.Equal(0L, Convert.ToInt64(cluster.Pair.RunSql($"SELECT COUNT(*) FROM PluginVersions WHERE PluginId = '{id}'", scalar: true)));

        // Nothing half-done stands in the way: once B can load it, the same upload installs.
        using var again = await Packages.UploadAsync(cluster.Admin.OnA, SignedPackage(id));
        await Expect.StatusAsync(HttpStatusCode.Created, again);
        Assert.Equal("1.0.0", await OfferedVersionAsync(cluster.Admin.OnB, id));
    }

    [Fact]
    public async Task Install_WhenBNeverAnswers_IsAbandonedAndOfferedNowhere()
    {
        var id = $"dev.test.silent{Guid.NewGuid():N}"[..30];
        var options = cluster.Pair.A.Services.GetRequiredService<RedisConnection>().Options;
        var timeout = options.PrepareTimeoutMilliseconds;
        await using var hold = HoldPrepareOnB();
        options.PrepareTimeoutMilliseconds = 300;
        try
        {
            using var abandoned = await Packages.UploadAsync(cluster.Admin.OnA, SignedPackage(id));

            var problem = await Expect.ProblemAsync(HttpStatusCode.ServiceUnavailable, "cluster.not_prepared", abandoned);
            Assert.Contains("b-" + cluster.Pair.Prefix, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            options.PrepareTimeoutMilliseconds = timeout;
        }

        // B finishes loading late: that offers nothing, because nothing was committed.
        hold.Release();
        Assert.Null(await OfferedVersionAsync(cluster.Admin.OnA, id));
        Assert.Null(await OfferedVersionAsync(cluster.Admin.OnB, id));
        Assert.Equal(0L, Convert.ToInt64(cluster.Pair.RunSql($"SELECT COUNT(*) FROM PluginVersions WHERE PluginId = '{id}'", scalar: true)));
    }

    [Fact]
    public async Task Kill_WhileAnInstallWaitsForB_IsEnforcedOnBothWithoutWaiting()
    {
        var id = $"dev.test.pending{Guid.NewGuid():N}"[..30];
        await using var hold = HoldPrepareOnB();
        var upload = Task.Run(() => Packages.UploadAsync(cluster.Admin.OnA, SignedPackage(id)));
        await hold.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            using (var kill = await cluster.Admin.OnA.PostAsJsonAsync($"/api/admin/plugins/{ClusterFixture.KillPlugin}/kill", new { reason = "Kill during an install" }))
            {
                await Expect.StatusAsync(HttpStatusCode.OK, kill);
            }

            // The kill answered while the install still waits for B, and B already enforces it.
            Assert.False(upload.IsCompleted, "the install finished before the kill was tried, so the kill proved nothing");
            Assert.True(cluster.Pair.B.Services.GetRequiredService<PluginCatalog>().IsKilled(ClusterFixture.KillPlugin, "1.0.0"), "B still offers the killed plugin");
            Assert.Null(await OfferedVersionAsync(cluster.Admin.OnB, ClusterFixture.KillPlugin));
        }
        finally
        {
            hold.Release();
            using var unkill = await cluster.Admin.OnA.PostAsJsonAsync($"/api/admin/plugins/{ClusterFixture.KillPlugin}/unkill", new { });
        }

        using var installed = await upload;
        await Expect.StatusAsync(HttpStatusCode.Created, installed);
    }

    private byte[] SignedPackage(string id) => Packages.Zip(Packages.Sign(Packages.Plugin(id, "1.0.0"), cluster.Publisher));

    /// <summary>The version of <paramref name="id"/> that instance offers its users (GET /api/plugins), or null.</summary>
    private static async Task<string?> OfferedVersionAsync(HttpClient client, string id)
    {
        var plugins = await client.GetFromJsonAsync<JsonElement>("/api/plugins");
        return plugins.EnumerateArray().Where(p => p.GetProperty("id").GetString() == id).Select(p => p.GetProperty("version").GetString()).FirstOrDefault();
    }

    private PrepareHold HoldPrepareOnB() => new(cluster.Pair.B.Services.GetRequiredService<ClusterPreparation>());

    /// <summary>Plays a slow instance: B's answer to every proposal waits until <see cref="Release"/>.</summary>
    private sealed class PrepareHold : IAsyncDisposable
    {
        private readonly ClusterPreparation preparation;
        private readonly TaskCompletionSource entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public PrepareHold(ClusterPreparation preparation)
        {
            this.preparation = preparation;
            preparation.BeforeAnswer = async (_, ct) =>
            {
                entered.TrySetResult();
                await released.Task.WaitAsync(ct);
            };
        }

        /// <summary>Completes when B has been asked to prepare.</summary>
        public Task Entered => entered.Task;

        public void Release() => released.TrySetResult();

        public ValueTask DisposeAsync()
        {
            preparation.BeforeAnswer = null;
            released.TrySetResult();
            return ValueTask.CompletedTask;
        }
    }
}
