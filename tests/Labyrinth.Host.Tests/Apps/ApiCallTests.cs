using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Labyrinth.Host.Features.Bus;
using Labyrinth.Host.Tests.Bus;
using Labyrinth.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Apps;

/// <summary>
/// Plugin API calls through <c>/hubs/bus</c>: a caller card in one tab, the provider's service as a
/// member of another tab (or the same one) of the same person. The host validates both ways,
/// routes, times out, rate limits and audits; the provider learns the caller's plugin id only.
/// </summary>
public sealed class ApiCallTests(AppsApp shared) : IClassFixture<AppsApp>
{
    private BusRelay Relay => shared.Cards.App.Services.GetRequiredService<BusRelay>();

    private async Task<(BusPerson Person, BusTab CallerTab, BusTab ServiceTab)> SetUpAsync(bool granted = true, string typeID = "caller")
    {
        var person = await BusPerson.CreateAsync(shared.Cards);
        var callerTab = await person.OpenTabAsync();
        var serviceTab = await person.OpenTabAsync();
        BusAcks.Ok(await callerTab.JoinAsync("card", await AppsApp.CallerCardAsync(person, typeID, granted)));
        BusAcks.Ok(await serviceTab.JoinServiceAsync("svc", AppsApp.Provider, "1.0.0", "main"));
        return (person, callerTab, serviceTab);
    }

    [Fact]
    public async Task Call_FromGrantedCard_ReachesTheServiceAndReturnsItsAnswer()
    {
        var (_, callerTab, serviceTab) = await SetUpAsync();
        await using var c = callerTab;
        await using var s = serviceTab;

        BusAcks.Ok(await callerTab.CallAsync("card", "q1", AppsApp.Provider, "add", new { a = 2, b = 3 }));

        var call = await BusTab.NextAsync(serviceTab.Calls, 1, "api calls");
        Assert.Equal("svc", call.GetProperty("member").GetString());
        Assert.Equal("add", call.GetProperty("method").GetString());
        Assert.Equal(3, call.GetProperty("input").GetProperty("b").GetInt32());
        // The provider learns the caller's plugin, never its card, board or person.
        Assert.Equal(AppsApp.Caller, call.GetProperty("caller").GetString());
        Assert.DoesNotContain("card", call.EnumerateObject().Select(p => p.Name).Where(n => n != "caller"));
        BusAcks.Ok(await serviceTab.AnswerAsync("svc", call.GetProperty("cid").GetString()!, new { sum = 5 }));
        var reply = await BusTab.NextAsync(callerTab.CallReplies, 1, "api replies");
        Assert.Equal(("card", "q1", true), (reply.GetProperty("member").GetString(), reply.GetProperty("id").GetString(), reply.GetProperty("ok").GetBoolean()));
        Assert.Equal(5, reply.GetProperty("result").GetProperty("sum").GetInt32());
        Assert.Contains("\"api.call\"", await shared.Cards.AuditExportAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_WithAServiceInTheCallersOwnTab_IsAnsweredThere()
    {
        var (_, callerTab, serviceTab) = await SetUpAsync();
        await using var c = callerTab;
        await using var s = serviceTab;
        BusAcks.Ok(await callerTab.JoinServiceAsync("own", AppsApp.Provider, "1.0.0", "main"));

        BusAcks.Ok(await callerTab.CallAsync("card", "q1", AppsApp.Provider, "echo", 1));

        var call = await BusTab.NextAsync(callerTab.Calls, 1, "api calls");
        Assert.Equal("own", call.GetProperty("member").GetString());
        Assert.Empty(serviceTab.Calls);
    }

    [Fact]
    public async Task Call_WithoutTheGrant_IsRefusedAndAudited()
    {
        var (_, callerTab, serviceTab) = await SetUpAsync(granted: false);
        await using var c = callerTab;
        await using var s = serviceTab;

        BusAcks.Refused("api.not_granted", await callerTab.CallAsync("card", "q1", AppsApp.Provider, "add", new { a = 1, b = 2 }));

        Assert.Contains("\"api.refused\"", await shared.Cards.AuditExportAsync(), StringComparison.Ordinal);
        Assert.Empty(serviceTab.Calls);
    }

    [Fact]
    public async Task Call_FromACardThatDoesNotRequestTheApi_IsRefusedEvenIfAGrantRowExists()
    {
        var (_, callerTab, serviceTab) = await SetUpAsync(granted: false, typeID: "plain");
        await using var c = callerTab;
        await using var s = serviceTab;

        BusAcks.Refused("api.not_granted", await callerTab.CallAsync("card", "q1", AppsApp.Provider, "add", new { a = 1, b = 2 }));
    }

    [Fact]
    public async Task Call_WithInputThatBreaksTheSchema_IsRefusedWithPointersAndNeverReachesTheService()
    {
        var (_, callerTab, serviceTab) = await SetUpAsync();
        await using var c = callerTab;
        await using var s = serviceTab;

        var ack = await callerTab.CallAsync("card", "q1", AppsApp.Provider, "add", new { a = "two", c = 1 });

        BusAcks.Refused("api.invalid_input", ack);
        var pointers = ack.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("pointer").GetString()).ToList();
        Assert.Contains("/a", pointers);
        Assert.Contains("/b", pointers);
        Assert.Contains("/c", pointers);
        // Barrier: a valid call after it is the first the service sees.
        BusAcks.Ok(await callerTab.CallAsync("card", "q2", AppsApp.Provider, "add", new { a = 1, b = 1 }));
        var first = await BusTab.NextAsync(serviceTab.Calls, 1, "api calls");
        Assert.Equal(1, first.GetProperty("input").GetProperty("a").GetInt32());
        Assert.Single(serviceTab.Calls);
    }

    [Fact]
    public async Task Answer_ThatBreaksTheOutputSchema_ReachesTheCallerAsInvalidOutputAndIsLogged()
    {
        var (_, callerTab, serviceTab) = await SetUpAsync();
        await using var c = callerTab;
        await using var s = serviceTab;
        BusAcks.Ok(await callerTab.CallAsync("card", "q1", AppsApp.Provider, "add", new { a = 2, b = 3 }));
        var call = await BusTab.NextAsync(serviceTab.Calls, 1, "api calls");

        BusAcks.Ok(await serviceTab.AnswerAsync("svc", call.GetProperty("cid").GetString()!, new { sum = "five" }));

        var reply = await BusTab.NextAsync(callerTab.CallReplies, 1, "api replies");
        Assert.False(reply.GetProperty("ok").GetBoolean());
        var error = reply.GetProperty("error");
        Assert.Equal("api.invalid_output", error.GetProperty("code").GetString());
        Assert.Equal("/sum", error.GetProperty("problems")[0].GetProperty("pointer").GetString());
        Assert.Contains(await shared.LogsAsync(AppsApp.Provider, "error"), l => l.GetProperty("message").GetString()!.Contains("/sum", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Call_ThatTheServiceNeverAnswers_TimesOut()
    {
        var (_, callerTab, serviceTab) = await SetUpAsync();
        await using var c = callerTab;
        await using var s = serviceTab;

        BusAcks.Ok(await callerTab.CallAsync("card", "q1", AppsApp.Provider, "echo", 1, timeoutMs: 100));

        var reply = await BusTab.NextAsync(callerTab.CallReplies, 1, "api replies");
        Assert.Equal("api.timeout", reply.GetProperty("error").GetProperty("code").GetString());
        // A late answer finds nothing waiting.
        var call = await BusTab.NextAsync(serviceTab.Calls, 1, "api calls");
        BusAcks.Refused("api.invalid", await serviceTab.AnswerAsync("svc", call.GetProperty("cid").GetString()!, 1));
        Assert.Single(callerTab.CallReplies);
    }

    [Fact]
    public async Task Answer_FromAnotherMember_IsRefused()
    {
        var (person, callerTab, serviceTab) = await SetUpAsync();
        await using var c = callerTab;
        await using var s = serviceTab;
        BusAcks.Ok(await callerTab.CallAsync("card", "q1", AppsApp.Provider, "echo", 1));
        var call = await BusTab.NextAsync(serviceTab.Calls, 1, "api calls");

        // The caller card trying to answer its own call with whatever it likes.
        BusAcks.Refused("api.invalid", await callerTab.AnswerAsync("card", call.GetProperty("cid").GetString()!, "forged"));

        Assert.Empty(callerTab.CallReplies);
        _ = person;
    }

    [Theory]
    [InlineData("nope", "api.unknown_method")]
    [InlineData("Add", "api.unknown_method")]
    public async Task Call_ToAMethodTheProviderDoesNotDeclare_IsRefused(string method, string code)
    {
        var (_, callerTab, serviceTab) = await SetUpAsync();
        await using var c = callerTab;
        await using var s = serviceTab;

        BusAcks.Refused(code, await callerTab.CallAsync("card", "q1", AppsApp.Provider, method, 1));
    }

    [Fact]
    public async Task Call_WhenNoTabRunsTheService_IsProviderUnavailable()
    {
        var person = await BusPerson.CreateAsync(shared.Cards);
        await using var tab = await person.OpenTabAsync();
        BusAcks.Ok(await tab.JoinAsync("card", await AppsApp.CallerCardAsync(person)));

        BusAcks.Refused("api.provider_unavailable", await tab.CallAsync("card", "q1", AppsApp.Provider, "echo", 1));
    }

    [Fact]
    public async Task Call_ToAServiceOfAnotherPerson_IsNeverRouted()
    {
        var ada = await BusPerson.CreateAsync(shared.Cards);
        var eve = await BusPerson.CreateAsync(shared.Cards);
        await using var adaTab = await ada.OpenTabAsync();
        await using var eveTab = await eve.OpenTabAsync();
        BusAcks.Ok(await adaTab.JoinAsync("card", await AppsApp.CallerCardAsync(ada)));
        BusAcks.Ok(await eveTab.JoinServiceAsync("svc", AppsApp.Provider, "1.0.0", "main"));

        BusAcks.Refused("api.provider_unavailable", await adaTab.CallAsync("card", "q1", AppsApp.Provider, "echo", 1));
        Assert.Empty(eveTab.Calls);
    }

    [Fact]
    public async Task Calls_PastTheBurst_AreRateLimited()
    {
        var (_, callerTab, serviceTab) = await SetUpAsync();
        await using var c = callerTab;
        await using var s = serviceTab;
        for (var i = 0; i < AppsApp.CallBurst; i++)
        {
            BusAcks.Ok(await callerTab.CallAsync("card", $"q{i}", AppsApp.Provider, "echo", i));
        }

        BusAcks.Refused("api.rate_limited", await callerTab.CallAsync("card", "over", AppsApp.Provider, "echo", 0));
    }

    [Fact]
    public async Task ServiceThatLeaves_FailsTheCallsItWasAnswering()
    {
        var (_, callerTab, serviceTab) = await SetUpAsync();
        await using var c = callerTab;
        BusAcks.Ok(await callerTab.CallAsync("card", "q1", AppsApp.Provider, "echo", 1));
        await BusTab.NextAsync(serviceTab.Calls, 1, "api calls");

        await serviceTab.DisposeAsync();

        var reply = await BusTab.NextAsync(callerTab.CallReplies, 1, "api replies");
        Assert.Equal("api.provider_failed", reply.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task ServiceFromAVersionThatIsNotActive_CannotJoin()
    {
        var person = await BusPerson.CreateAsync(shared.Cards);
        await using var tab = await person.OpenTabAsync();

        BusAcks.Refused("bus.member_not_found", await tab.JoinServiceAsync("svc", AppsApp.Provider, "0.9.0", "main"));
        BusAcks.Refused("bus.member_not_found", await tab.JoinServiceAsync("svc", AppsApp.Provider, "1.0.0", "nope"));
    }

    [Fact]
    public async Task ServiceCall_NeedsTheAdminsGrant_AndRevokingItRefusesTheNext()
    {
        var person = await BusPerson.CreateAsync(shared.Cards);
        await using var tab = await person.OpenTabAsync();
        BusAcks.Ok(await tab.JoinServiceAsync("svc", AppsApp.Provider, "1.0.0", "main"));
        BusAcks.Ok(await tab.JoinServiceAsync("worker", AppsApp.Caller, "1.0.0", "worker"));

        BusAcks.Refused("api.not_granted", await tab.CallAsync("worker", "q1", AppsApp.Provider, "echo", 1));
        await shared.SetServiceGrantAsync(AppsApp.Caller, AppsApp.ApiCapability, granted: true);
        try
        {
            BusAcks.Ok(await tab.CallAsync("worker", "q2", AppsApp.Provider, "echo", 1));
            var call = await BusTab.NextAsync(tab.Calls, 1, "api calls");
            Assert.Equal(AppsApp.Caller, call.GetProperty("caller").GetString());
        }
        finally
        {
            await shared.SetServiceGrantAsync(AppsApp.Caller, AppsApp.ApiCapability, granted: false);
        }

        BusAcks.Refused("api.not_granted", await tab.CallAsync("worker", "q3", AppsApp.Provider, "echo", 1));
    }

    [Fact]
    public async Task ServiceBusGrant_Revoked_DropsItsSubscriptionsAtOnce()
    {
        var person = await BusPerson.CreateAsync(shared.Cards);
        await using var tab = await person.OpenTabAsync();
        BusAcks.Ok(await tab.JoinServiceAsync("worker", AppsApp.Caller, "1.0.0", "worker"));
        BusAcks.Refused("bus.not_granted", await tab.SubscribeAsync("worker", "s1", "clock:*:*"));
        await shared.SetServiceGrantAsync(AppsApp.Caller, "crossCard:pubsub", granted: true);
        BusAcks.Ok(await tab.SubscribeAsync("worker", "s1", "clock:*:*"));
        Assert.Equal(1, Relay.SubscriptionsOf(person.UserId));

        await shared.SetServiceGrantAsync(AppsApp.Caller, "crossCard:pubsub", granted: false);

        await Eventually.ReachAsync(() => Task.FromResult(Relay.SubscriptionsOf(person.UserId)), n => n == 0, "the worker's subscription dropped");
    }

    [Fact]
    public async Task ServiceGrant_ForACapabilityNoServiceRequests_IsRefused()
    {
        using var response = await shared.Cards.Admin.PutAsync($"/api/admin/plugins/{AppsApp.Provider}/service-grants/{Uri.EscapeDataString("api:dev.test.other")}", null);

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "grant.not_requested", response);
    }

    [Fact]
    public async Task ServiceGrants_AreForAdminsOnly()
    {
        var person = await BusPerson.CreateAsync(shared.Cards);

        using var response = await person.Client.PutAsync($"/api/admin/plugins/{AppsApp.Caller}/service-grants/crossCard%3Apubsub", null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Log_FromACard_IsKeptCleanedAndShownToAdminsOnly()
    {
        var person = await BusPerson.CreateAsync(shared.Cards);
        await using var tab = await person.OpenTabAsync();
        BusAcks.Ok(await tab.JoinAsync("card", await AppsApp.CallerCardAsync(person)));
        var marker = Guid.NewGuid().ToString("N");

        BusAcks.Ok(await tab.LogAsync("card", "warn", $"{marker} Authorization: Bearer abcdefghijklmnop token://openai/card-1/session-2\nFORGED error line"));

        var line = (await shared.LogsAsync(AppsApp.Caller)).Single(l => l.GetProperty("message").GetString()!.StartsWith(marker, StringComparison.Ordinal));
        var message = line.GetProperty("message").GetString()!;
        Assert.DoesNotContain("abcdefghijklmnop", message, StringComparison.Ordinal);
        Assert.DoesNotContain("token://", message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', message);
        Assert.Equal(("warn", "card:caller"), (line.GetProperty("level").GetString(), line.GetProperty("source").GetString()));
        using var forbidden = await person.Client.GetAsync($"/api/admin/plugins/{AppsApp.Caller}/logs");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        BusAcks.Refused("log.invalid", await tab.LogAsync("card", "debug", "x"));
    }

    [Fact]
    public async Task RunningServices_ListsThePersonsServices_AndStopReachesTheirTab()
    {
        var person = await BusPerson.CreateAsync(shared.Cards);
        var other = await BusPerson.CreateAsync(shared.Cards);
        await using var tab = await person.OpenTabAsync();
        await using var otherTab = await other.OpenTabAsync();
        BusAcks.Ok(await tab.JoinServiceAsync("svc", AppsApp.Provider, "1.0.0", "main"));
        BusAcks.Ok(await otherTab.JoinServiceAsync("svc", AppsApp.Provider, "1.0.0", "main"));

        var mine = await person.Client.GetFromJsonAsync<JsonElement[]>("/api/apps/running");
        var entry = Assert.Single(mine!);
        Assert.Equal((AppsApp.Provider, "main"), (entry.GetProperty("pluginId").GetString(), entry.GetProperty("serviceId").GetString()));
        using (var stop = await person.Client.PostAsJsonAsync("/api/apps/running/control", new { pluginId = AppsApp.Provider, serviceId = "main", action = "stop" }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, stop);
        }

        var control = await BusTab.NextAsync(tab.Controls, 1, "service controls");
        Assert.Equal("stop", control.GetProperty("action").GetString());
        Assert.Empty(otherTab.Controls);
        using var everyone = await person.Client.GetAsync("/api/apps/running?all=true");
        Assert.Equal(HttpStatusCode.Forbidden, everyone.StatusCode);
        var all = await shared.Cards.Admin.GetFromJsonAsync<JsonElement[]>("/api/apps/running?all=true");
        Assert.True(all!.Count(e => e.GetProperty("pluginId").GetString() == AppsApp.Provider) >= 2);
    }

    [Fact]
    public async Task Apps_ListsServicesAndMethodSchemasForThePage()
    {
        var person = await BusPerson.CreateAsync(shared.Cards);

        var apps = await person.Client.GetFromJsonAsync<JsonElement[]>("/api/apps");

        var clock = apps!.Single(a => a.GetProperty("pluginId").GetString() == AppsApp.Provider);
        var service = clock.GetProperty("services")[0];
        var origin = service.GetProperty("frameOrigin").GetString()!;
        Assert.Matches(@"^http://[a-z0-9]+\.cards\.localhost(:\d+)?$", origin);
        // Under this person's capability prefix for that version, like card frames.
        var prefix = await CardSites.PrefixAsync(person.Client, "dev.test.clock", "1.0.0");
        Assert.Equal(origin + prefix + "/cards/service/dev.test.clock/1.0.0/main", service.GetProperty("frameUrl").GetString());
        var api = clock.GetProperty("api");
        Assert.Equal("main", api.GetProperty("service").GetString());
        Assert.Equal("object", api.GetProperty("methods").GetProperty("add").GetProperty("input").GetProperty("type").GetString());
    }
}
