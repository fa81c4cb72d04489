using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Labyrinth.Host.Features.Bus;
using Labyrinth.Host.Tests.Bus;
using Labyrinth.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Apps;

/// <summary>Installing app plugins (schemas compiled with pointers) and what kill and disable do to running services.</summary>
public sealed class AppGovernanceTests(AppsApp shared) : IClassFixture<AppsApp>
{
    private BusRelay Relay => shared.Cards.App.Services.GetRequiredService<BusRelay>();

    [Fact]
    public async Task Install_WithAnApiSchemaTheHostCannotUse_IsRefusedWithItsPointerAndLeavesNothing()
    {
        var manifest = AppsApp.ProviderManifest("2.0.0", addInput: new { type = "object", properties = new { a = new { type = "string", pattern = "^(a+)+$" } } });

        using var response = await shared.Cards.InstallPackageAsync(AppsApp.Package(manifest));

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "manifest.invalid", response);
        var pointers = problem.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("pointer").GetString()).ToList();
        Assert.Contains("/api/methods/add/input/properties/a/pattern", pointers);
        var plugins = await shared.Cards.Admin.GetFromJsonAsync<JsonElement[]>("/api/admin/plugins");
        var clock = plugins!.Single(p => p.GetProperty("id").GetString() == AppsApp.Provider);
        Assert.Equal("1.0.0", clock.GetProperty("activeVersion").GetString());
        Assert.DoesNotContain(clock.GetProperty("versions").EnumerateArray(), v => v.GetProperty("version").GetString() == "2.0.0");
    }

    [Fact]
    public async Task AdminAppPage_DocumentsTheApiWithExamples()
    {
        var app = await shared.Cards.Admin.GetFromJsonAsync<JsonElement>($"/api/admin/plugins/{AppsApp.Provider}/app");

        var add = app.GetProperty("methods").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "add");
        Assert.Equal("Adds two numbers.", add.GetProperty("description").GetString());
        Assert.Equal(5, add.GetProperty("examples")[0].GetProperty("output").GetProperty("sum").GetInt32());
        Assert.Equal("crossCard:pubsub", app.GetProperty("grants")[0].GetProperty("capability").GetString());
    }

    [Fact]
    public async Task Kill_Provider_EvictsItsServicesAndFailsTheCallsTheyWereAnswering()
    {
        var person = await BusPerson.CreateAsync(shared.Cards);
        await using var callerTab = await person.OpenTabAsync();
        await using var serviceTab = await person.OpenTabAsync();
        BusAcks.Ok(await callerTab.JoinAsync("card", await AppsApp.CallerCardAsync(person)));
        BusAcks.Ok(await serviceTab.JoinServiceAsync("svc", AppsApp.Provider, "1.0.0", "main"));
        BusAcks.Ok(await callerTab.CallAsync("card", "q1", AppsApp.Provider, "echo", 1));
        await BusTab.NextAsync(serviceTab.Calls, 1, "api calls");
        Assert.Single(Relay.RunningServices(person.UserId));

        using (var kill = await shared.Cards.Admin.PostAsJsonAsync($"/api/admin/plugins/{AppsApp.Provider}/kill", new { reason = "test" }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, kill);
        }

        try
        {
            var reply = await BusTab.NextAsync(callerTab.CallReplies, 1, "api replies");
            Assert.Equal("api.provider_failed", reply.GetProperty("error").GetProperty("code").GetString());
            Assert.Empty(Relay.RunningServices(person.UserId));
            BusAcks.Refused("bus.not_member", await serviceTab.AnswerAsync("svc", "c1", 1));
            BusAcks.Refused("api.provider_unavailable", await callerTab.CallAsync("card", "q2", AppsApp.Provider, "echo", 1));
            BusAcks.Refused("bus.member_not_found", await serviceTab.JoinServiceAsync("svc2", AppsApp.Provider, "1.0.0", "main"));
        }
        finally
        {
            using var unkill = await shared.Cards.Admin.PostAsJsonAsync($"/api/admin/plugins/{AppsApp.Provider}/unkill", new { });
            await Expect.StatusAsync(HttpStatusCode.OK, unkill);
        }
    }

    [Fact]
    public async Task ServiceFrame_OnTheHostOriginOrAnotherPluginsOrigin_IsNotServed()
    {
        using var client = shared.Cards.App.CreateClient();
        var path = $"/cards/service/{AppsApp.Provider}/1.0.0/main";

        using var onHost = await client.GetAsync(path);
        using var onOther = await client.GetOnOriginAsync(CardSites.HostFor(client, AppsApp.Caller, "1.0.0"), path);

        Assert.Equal(HttpStatusCode.NotFound, onHost.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, onOther.StatusCode);
    }

    [Fact]
    public async Task ProviderLimitedToAGroupThePersonIsNotIn_NeitherRunsNorAnswersForThem()
    {
        var person = await BusPerson.CreateAsync(shared.Cards);
        await using var tab = await person.OpenTabAsync();
        BusAcks.Ok(await tab.JoinAsync("card", await AppsApp.CallerCardAsync(person)));
        using (var group = await shared.Cards.Admin.PostAsJsonAsync("/api/admin/groups", new { name = "g" + Guid.NewGuid().ToString("N")[..8] }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, group);
            var groupId = (await group.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            using var limited = await shared.Cards.Admin.PutAsJsonAsync($"/api/admin/plugins/{AppsApp.Provider}/availability", new { groups = new[] { groupId } });
            Assert.True(limited.IsSuccessStatusCode, $"availability: {limited.StatusCode}");
        }

        try
        {
            BusAcks.Refused("bus.member_not_found", await tab.JoinServiceAsync("svc", AppsApp.Provider, "1.0.0", "main"));
            BusAcks.Refused("api.provider_unavailable", await tab.CallAsync("card", "q1", AppsApp.Provider, "echo", 1));
            var apps = await person.Client.GetFromJsonAsync<JsonElement[]>("/api/apps");
            Assert.DoesNotContain(apps!, a => a.GetProperty("pluginId").GetString() == AppsApp.Provider);
        }
        finally
        {
            using var everyone = await shared.Cards.Admin.PutAsJsonAsync($"/api/admin/plugins/{AppsApp.Provider}/availability", new { groups = (Guid[]?)null });
            Assert.True(everyone.IsSuccessStatusCode, $"availability: {everyone.StatusCode}");
        }
    }

    [Fact]
    public async Task ProviderLimitedAwayFromThePerson_WhileItsServiceRuns_EvictsTheServiceFromTheBus()
    {
        var person = await BusPerson.CreateAsync(shared.Cards);
        await using var serviceTab = await person.OpenTabAsync();
        BusAcks.Ok(await serviceTab.JoinServiceAsync("svc", AppsApp.Provider, "1.0.0", "main"));
        Assert.Single(Relay.RunningServices(person.UserId));

        await LimitToANewGroupAsync(AppsApp.Provider);
        try
        {
            Assert.Empty(Relay.RunningServices(person.UserId));
            BusAcks.Refused("bus.not_member", await serviceTab.PublishAsync("svc", "clock:time:ticked", 1));
        }
        finally
        {
            await AvailableToEveryoneAsync(AppsApp.Provider);
        }
    }

    [Fact]
    public async Task PersonRemovedFromTheProvidersGroup_WhileItsServiceRuns_EvictsTheServiceFromTheBus()
    {
        var person = await BusPerson.CreateAsync(shared.Cards);
        var groupId = await LimitToANewGroupAsync(AppsApp.Provider, person.UserId);
        try
        {
            await using var serviceTab = await person.OpenTabAsync();
            BusAcks.Ok(await serviceTab.JoinServiceAsync("svc", AppsApp.Provider, "1.0.0", "main"));
            Assert.Single(Relay.RunningServices(person.UserId));

            using (var removed = await shared.Cards.Admin.DeleteAsync($"/api/admin/groups/{groupId}/members/{person.UserId}"))
            {
                await Expect.StatusAsync(HttpStatusCode.OK, removed);
            }

            Assert.Empty(Relay.RunningServices(person.UserId));
            BusAcks.Refused("bus.not_member", await serviceTab.PublishAsync("svc", "clock:time:ticked", 1));
        }
        finally
        {
            await AvailableToEveryoneAsync(AppsApp.Provider);
        }
    }

    [Fact]
    public async Task CardOfAPluginLimitedToOtherGroups_JoiningTheBus_IsRefused()
    {
        var person = await BusPerson.CreateAsync(shared.Cards);
        await using var tab = await person.OpenTabAsync();
        var card = await AppsApp.CallerCardAsync(person);

        await LimitToANewGroupAsync(AppsApp.Caller);
        try
        {
            BusAcks.Refused("bus.plugin_stopped", await tab.JoinAsync("card", card));
        }
        finally
        {
            await AvailableToEveryoneAsync(AppsApp.Caller);
        }
    }

    /// <summary>Limits the plugin to a new group holding <paramref name="member"/> (or nobody).</summary>
    private async Task<Guid> LimitToANewGroupAsync(string pluginId, Guid? member = null)
    {
        using var group = await shared.Cards.Admin.PostAsJsonAsync("/api/admin/groups", new { name = "g" + Guid.NewGuid().ToString("N")[..8] });
        await Expect.StatusAsync(HttpStatusCode.Created, group);
        var groupId = (await group.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        if (member is { } userId)
        {
            using var added = await shared.Cards.Admin.PostAsJsonAsync($"/api/admin/groups/{groupId}/members", new { userId });
            await Expect.StatusAsync(HttpStatusCode.OK, added);
        }

        using var limited = await shared.Cards.Admin.PutAsJsonAsync($"/api/admin/plugins/{pluginId}/availability", new { groups = new[] { groupId } });
        Assert.True(limited.IsSuccessStatusCode, $"availability: {limited.StatusCode}");
        return groupId;
    }

    private async Task AvailableToEveryoneAsync(string pluginId)
    {
        using var everyone = await shared.Cards.Admin.PutAsJsonAsync($"/api/admin/plugins/{pluginId}/availability", new { groups = (Guid[]?)null });
        Assert.True(everyone.IsSuccessStatusCode, $"availability: {everyone.StatusCode}");
    }

    [Fact]
    public async Task ServiceFrame_IsServedWithTheCardCsp_AndTheServiceEntry()
    {
        using var client = shared.Cards.App.CreateClient();
        using var response = await client.GetOnOriginAsync(CardSites.HostFor(client, AppsApp.Provider, "1.0.0"), $"/cards/service/{AppsApp.Provider}/1.0.0/main");

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        var csp = string.Join(" ", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("sandbox allow-scripts", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains($"/plugins/{AppsApp.Provider}/1.0.0/services/main.js", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
