using System.Net;
using System.Net.Http.Json;
using Labyrinth.Core.Errors;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Tests.Broker;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Cluster;

/// <summary>
/// The first-run setup link of a deployment of several instances: one token, printed by every
/// instance that starts before the admin account exists, working on any of them, once.
/// </summary>
public sealed class ClusterSetupTests
{
    [Fact]
    public async Task SetupToken_PrintedByTheFirstInstance_IsPrintedByTheSecondAndWorksThere()
    {
        await using var pair = await ClusterPair.StartAsync();
        var printedByA = ClusterPair.SetupTokenPrintedBy(pair.A);

        Assert.NotNull(printedByA);
        Assert.Equal(printedByA, ClusterPair.SetupTokenPrintedBy(pair.B));
        using var setup = await SetupAsync(new ClusterPair.Session(pair).OnB, printedByA);
        await Expect.StatusAsync(HttpStatusCode.OK, setup);
    }

    [Fact]
    public async Task SetupToken_PrintedByTheSecondInstance_WorksOnTheFirst()
    {
        await using var pair = await ClusterPair.StartAsync();

        using var setup = await SetupAsync(new ClusterPair.Session(pair).OnA, ClusterPair.SetupTokenPrintedBy(pair.B));
        await Expect.StatusAsync(HttpStatusCode.OK, setup);
    }

    [Fact]
    public async Task SetupToken_InstanceStartedLater_ReprintsTheSameLink()
    {
        await using var pair = await ClusterPair.StartAsync();
        var c = pair.StartAnother("c");

        Assert.Equal(ClusterPair.SetupTokenPrintedBy(pair.A), ClusterPair.SetupTokenPrintedBy(c));
        using var setup = await SetupAsync(c.CreateClient(), ClusterPair.SetupTokenPrintedBy(c));
        await Expect.StatusAsync(HttpStatusCode.OK, setup);
    }

    [Fact]
    public async Task SetupToken_IssuedConcurrentlyOnBothInstances_IsOneToken()
    {
        await using var pair = await ClusterPair.StartAsync();
        pair.RunSql("DELETE FROM SetupTokens", scalar: false);

        // Both instances find no token at the same moment; the database lock lets one issue it.
        var issued = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => IssueOrReprintAsync(i % 2 == 0 ? pair.A : pair.B)));

        Assert.Single(issued.Distinct(StringComparer.Ordinal));
        Assert.Equal(1L, Convert.ToInt64(pair.RunSql("SELECT COUNT(*) FROM SetupTokens", scalar: true), System.Globalization.CultureInfo.InvariantCulture));
        using var setup = await SetupAsync(new ClusterPair.Session(pair).OnB, issued[0]);
        await Expect.StatusAsync(HttpStatusCode.OK, setup);
    }

    [Fact]
    public async Task SetupToken_Used_WorksNowhereAndNoReadableCopyRemains()
    {
        await using var pair = await ClusterPair.StartAsync();
        var token = ClusterPair.SetupTokenPrintedBy(pair.A);
        using (var setup = await SetupAsync(new ClusterPair.Session(pair).OnA, token))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, setup);
        }

        // Even with the account gone, the used token opens nothing: it is marked used on every instance's database.
        pair.RunSql("DELETE FROM Users", scalar: false);
        using var again = await SetupAsync(new ClusterPair.Session(pair).OnB, token);
        await Expect.ProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.SetupInvalidToken, again);
        Assert.Equal(0L, Convert.ToInt64(pair.RunSql("SELECT COUNT(*) FROM SetupTokens WHERE SealedToken IS NOT NULL", scalar: true), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task SetupToken_AfterTheAccountExists_NoInstancePrintsOne()
    {
        await using var pair = await ClusterPair.StartAsync();
        await pair.SetupAdminAsync();

        var c = pair.StartAnother("c");

        // The ready line is logged just before the setup block would be, in the same callback.
        Assert.Contains(c.Logs.Entries, e => e.Category == "Labyrinth" && e.Message.StartsWith("Labyrinth is running at", StringComparison.Ordinal));
        Assert.Null(ClusterPair.SetupTokenPrintedBy(c));
    }

    [Fact]
    public async Task SetupToken_Expired_IsRefusedAndTheNextStartPrintsANewOne()
    {
        await using var pair = await ClusterPair.StartAsync();
        var old = ClusterPair.SetupTokenPrintedBy(pair.A);
        pair.RunSql("UPDATE SetupTokens SET CreatedAt = '2000-01-01 00:00:00' WHERE UsedAt IS NULL", scalar: false);

        using (var expired = await SetupAsync(new ClusterPair.Session(pair).OnB, old))
        {
            await Expect.ProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.SetupInvalidToken, expired);
        }

        var fresh = ClusterPair.SetupTokenPrintedBy(pair.StartAnother("c"));
        Assert.NotNull(fresh);
        Assert.NotEqual(old, fresh);
        using var setup = await SetupAsync(new ClusterPair.Session(pair).OnA, fresh);
        await Expect.StatusAsync(HttpStatusCode.OK, setup);
    }

    [Fact]
    public async Task SetupToken_SealedCopyUnreadable_NextStartReplacesItAndSaysWhy()
    {
        await using var pair = await ClusterPair.StartAsync();
        var old = ClusterPair.SetupTokenPrintedBy(pair.A);
        pair.RunSql("UPDATE SetupTokens SET SealedToken = 'sealed-with-another-key-ring' WHERE UsedAt IS NULL", scalar: false);

        var c = pair.StartAnother("c");
        var fresh = ClusterPair.SetupTokenPrintedBy(c);

        Assert.NotNull(fresh);
        Assert.NotEqual(old, fresh);
        Assert.Contains(c.Logs.Entries, e => e.Message.Contains("cannot be read back with this instance's Data Protection key ring", StringComparison.Ordinal));
        using var refused = await SetupAsync(new ClusterPair.Session(pair).OnB, old);
        await Expect.ProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.SetupInvalidToken, refused);
    }

    [Fact]
    public async Task SetupToken_ReachesNoLogLineButTheBannerAndNoResponseOrAuditEntry()
    {
        await using var pair = await ClusterPair.StartAsync();
        var token = ClusterPair.SetupTokenPrintedBy(pair.A)!;
        var admin = new ClusterPair.Session(pair);
        using var setup = await SetupAsync(admin.OnB, token);
        await Expect.StatusAsync(HttpStatusCode.OK, setup);

        Assert.DoesNotContain(token, await setup.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(token, await admin.OnA.GetStringAsync("/api/admin/audit"), StringComparison.Ordinal);
        foreach (var instance in new[] { pair.A, pair.B })
        {
            Assert.All(instance.Logs.Entries.Where(e => $"{e.Message} {e.Exception}".Contains(token, StringComparison.Ordinal)),
                e => Assert.Equal(Labyrinth.Host.Infrastructure.Startup.SetupLogCategory, e.Category));
        }
    }

    private static Task<HttpResponseMessage> SetupAsync(HttpClient client, string? token)
    {
        client.DefaultRequestHeaders.Remove("X-Labyrinth-Request");
        client.DefaultRequestHeaders.Add("X-Labyrinth-Request", "1");
        return client.PostAsJsonAsync("/api/setup", new { token, userName = LabyrinthApp.AdminName, password = LabyrinthApp.Password });
    }

    private static async Task<string> IssueOrReprintAsync(BrokerFactory instance)
    {
        await using var scope = instance.Services.CreateAsyncScope();
        var issued = await scope.ServiceProvider.GetRequiredService<SetupTokenService>().IssueOrReprintAsync(CancellationToken.None);
        return issued?.Token ?? throw new InvalidOperationException("No token: an account exists.");
    }
}
