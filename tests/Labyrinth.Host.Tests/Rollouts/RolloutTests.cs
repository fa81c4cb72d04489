using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Labyrinth.Core.Errors;
using Labyrinth.Host.Tests.Governance;
using static Labyrinth.Host.Tests.Rollouts.RolloutHost;

namespace Labyrinth.Host.Tests.Rollouts;

/// <summary>Staged rollouts: stable assignment, promote, roll back, and the host's own rollback.</summary>
public sealed class RolloutTests
{
    private const int People = 16;

    [Fact]
    public async Task PercentRollout_SamePeopleAcrossARestart_KeepTheirVersions()
    {
        // Every person signs in twice from one address: more than the default sign-in limit.
        await using var host = await GovernanceHost.StartAsync(new Dictionary<string, string?> { ["Labyrinth:LoginAttemptsPerMinute"] = "1000" });
        await InstallTwoVersionsAsync(host);
        var names = Enumerable.Range(0, People).Select(i => $"person{i:00}").ToArray();
        var clients = new List<HttpClient>();
        foreach (var name in names)
        {
            clients.Add((await MemberAsync(host, name)).Client);
        }

        await StartAsync(host, new { version = "2.0.0", percent = 50 });
        var before = new List<string?>();
        foreach (var client in clients)
        {
            before.Add(await OfferedVersionAsync(client));
        }

        await host.RestartAsync();
        var after = new List<string?>();
        foreach (var name in names)
        {
            after.Add(await OfferedVersionAsync(await SignInAsync(host, name)));
        }

        Assert.Equal(before, after);
        // Both versions are in use: 16 people at 50 % all landing on one side has odds of 2 in 65,536.
        Assert.Contains("1.0.0", before);
        Assert.Contains("2.0.0", before);
        var rollout = (await RolloutAsync(host)).GetProperty("current");
        // The admin page names who is on the new version (the admin is a person too).
        var onCandidate = rollout.GetProperty("candidate").GetProperty("peopleNames").EnumerateArray().Select(n => n.GetString()).Where(n => n != LabyrinthApp.AdminName);
        Assert.Equal(names.Where((_, i) => before[i] == "2.0.0"), onCandidate);
    }

    [Fact]
    public async Task Promote_RunningRollout_MovesEveryoneToTheNewVersion()
    {
        await using var host = await GovernanceHost.StartAsync();
        await InstallTwoVersionsAsync(host);
        var (member, memberId) = await MemberAsync(host, "otto");
        var (pilot, pilotId) = await MemberAsync(host, "pia");
        await StartAsync(host, new { version = "2.0.0", groups = new[] { await GroupAsync(host, "Pilots", pilotId) } });
        Assert.Equal("1.0.0", await OfferedVersionAsync(member));
        Assert.Equal("2.0.0", await OfferedVersionAsync(pilot));

        using var promoted = await host.Admin.PostAsync($"/api/admin/plugins/{PluginId}/rollout/promote", null);

        await Expect.StatusAsync(HttpStatusCode.OK, promoted);
        Assert.Equal("2.0.0", await OfferedVersionAsync(member));
        Assert.Equal("2.0.0", (await host.PluginAsync(PluginId)).GetProperty("activeVersion").GetString());
        Assert.Single(await AuditAsync(host, "plugin.rollout_promote"));
    }

    [Fact]
    public async Task RollBack_RunningRollout_MovesEveryoneToThePreviousVersion()
    {
        await using var host = await GovernanceHost.StartAsync();
        await InstallTwoVersionsAsync(host);
        var (pilot, pilotId) = await MemberAsync(host, "pia");
        await StartAsync(host, new { version = "2.0.0", groups = new[] { await GroupAsync(host, "Pilots", pilotId) } });
        Assert.Equal("2.0.0", await OfferedVersionAsync(pilot));

        using var back = await host.Admin.PostAsync($"/api/admin/plugins/{PluginId}/rollout/rollback", null);

        await Expect.StatusAsync(HttpStatusCode.OK, back);
        Assert.Equal("1.0.0", await OfferedVersionAsync(pilot));
        Assert.Equal("rolled_back", (await RolloutAsync(host)).GetProperty("last").GetProperty("status").GetString());
        Assert.Single(await AuditAsync(host, "plugin.rollout_rollback"));
    }

    [Fact]
    public async Task Spawn_NewVersionOutsideTheAudience_Refused403()
    {
        await using var host = await GovernanceHost.StartAsync();
        await InstallTwoVersionsAsync(host);
        var (member, _) = await MemberAsync(host, "otto");
        await StartAsync(host, new { version = "2.0.0", groups = new[] { await GroupAsync(host, "Pilots") } });
        var board = await LabyrinthApp.CreateBoardAsync(member);

        using var response = await member.SendJsonAsync(HttpMethod.Post, $"/api/boards/{board.Id()}/windows",
            new { kind = "plugin", plugin = new { pluginId = PluginId, version = "2.0.0", typeID = "t" } }, board.ETag());

        await Expect.ProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.PluginNotAvailable, response);
    }

    [Fact]
    public async Task Candidate_FailsToMountOverItsFirstOpens_HostRollsBackWithTheFigures()
    {
        await using var host = await GovernanceHost.StartAsync();
        await InstallTwoVersionsAsync(host);
        var (member, _) = await MemberAsync(host, "otto");
        var (pilot, pilotId) = await MemberAsync(host, "pia");
        await StartAsync(host, new { version = "2.0.0", groups = new[] { await GroupAsync(host, "Pilots", pilotId) }, minOpens = 5, marginPerThousand = 50 });
        var board = await LabyrinthApp.CreateBoardAsync(pilot);
        var (_, window) = await Boards.SpawnAsync(pilot, board, new { kind = "plugin", plugin = new { pluginId = PluginId, typeID = "t" } });
        Assert.Equal("2.0.0", window.GetProperty("plugin").GetProperty("version").GetString());
        for (var i = 0; i < 5; i++)
        {
            await ReportLoadAsync(member, "1.0.0", ok: true);
        }

        for (var i = 0; i < 4; i++)
        {
            await ReportLoadAsync(pilot, "2.0.0", ok: false, error: "mount_failed: boom on purpose");
        }

        Assert.Equal("running", (await RolloutAsync(host)).GetProperty("current").GetProperty("status").GetString());

        await ReportLoadAsync(pilot, "2.0.0", ok: false, error: "mount_failed: boom on purpose");

        var rollout = (await RolloutAsync(host)).GetProperty("current");
        Assert.Equal("paused", rollout.GetProperty("status").GetString());
        Assert.Equal("1.0.0", await OfferedVersionAsync(pilot));
        var audit = Assert.Single(await AuditAsync(host, "plugin.rollout_auto_rollback")).GetProperty("detail");
        var breach = audit.GetProperty("breaches")[0];
        Assert.Equal("mountFailures", breach.GetProperty("rate").GetString());
        Assert.Equal(1000, breach.GetProperty("candidatePerThousand").GetDouble());
        Assert.Equal(0, breach.GetProperty("previousPerThousand").GetDouble());
        Assert.Equal(5, audit.GetProperty("figures").GetProperty("candidate").GetProperty("opens").GetInt64());
        // The pilot's card opens on the previous version again.
        var reloaded = await pilot.GetJsonAsync($"/api/boards/{board.Id()}");
        Assert.Equal("1.0.0", reloaded.GetProperty("windows")[0].GetProperty("plugin").GetProperty("version").GetString());
    }

    [Fact]
    public async Task Candidate_FailuresWithinTheMargin_KeepsRunning()
    {
        await using var host = await GovernanceHost.StartAsync();
        await InstallTwoVersionsAsync(host);
        var (pilot, pilotId) = await MemberAsync(host, "pia");
        await StartAsync(host, new { version = "2.0.0", groups = new[] { await GroupAsync(host, "Pilots", pilotId) }, minOpens = 4, marginPerThousand = 300 });

        await ReportLoadAsync(pilot, "2.0.0", ok: false, error: "mount_failed: once");
        for (var i = 0; i < 3; i++)
        {
            await ReportLoadAsync(pilot, "2.0.0", ok: true);
        }

        Assert.Equal("running", (await RolloutAsync(host)).GetProperty("current").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Telemetry_ForAVersionThePersonIsNotOn_IsNotCounted()
    {
        await using var host = await GovernanceHost.StartAsync();
        await InstallTwoVersionsAsync(host);
        var (outsider, _) = await MemberAsync(host, "otto");
        await StartAsync(host, new { version = "2.0.0", groups = new[] { await GroupAsync(host, "Pilots") }, minOpens = 1, marginPerThousand = 0 });

        await ReportLoadAsync(outsider, "2.0.0", ok: false, error: "mount_failed: forged");

        var rollout = (await RolloutAsync(host)).GetProperty("current");
        Assert.Equal("running", rollout.GetProperty("status").GetString());
        Assert.Equal(0, rollout.GetProperty("candidate").GetProperty("opens").GetInt64());
    }

    [Fact]
    public async Task StartRollout_BothGroupsAndPercent_Refused400()
    {
        await using var host = await GovernanceHost.StartAsync();
        await InstallTwoVersionsAsync(host);

        using var response = await host.Admin.PostAsJsonAsync($"/api/admin/plugins/{PluginId}/rollout",
            new { version = "2.0.0", percent = 10, groups = new[] { await GroupAsync(host, "Pilots") } });

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.RolloutInvalid, response);
    }

    [Fact]
    public async Task StartRollout_OlderVersion_Refused409()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        await host.InstallOkAsync(PluginId, "2.0.0");

        using var response = await host.Admin.PostAsJsonAsync($"/api/admin/plugins/{PluginId}/rollout", new { version = "1.0.0", percent = 10 });

        await Expect.ProblemAsync(HttpStatusCode.Conflict, ErrorCodes.RolloutInvalid, response);
    }

    [Fact]
    public async Task Activate_WhileARolloutRuns_Refused409()
    {
        await using var host = await GovernanceHost.StartAsync();
        await InstallTwoVersionsAsync(host);
        await StartAsync(host, new { version = "2.0.0", percent = 10 });

        using var response = await host.Admin.PostAsJsonAsync($"/api/admin/plugins/{PluginId}/activate", new { version = "2.0.0" });

        await Expect.ProblemAsync(HttpStatusCode.Conflict, ErrorCodes.RolloutInProgress, response);
    }

    [Fact]
    public async Task Upload_WithRolloutPercent_InstallsWithoutActivatingAndStartsTheRollout()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var package = Packages.Zip(Packages.Sign(Packages.Plugin(PluginId, "2.0.0"), host.Key));
        using var content = new ByteArrayContent(package);
        content.Headers.ContentType = new("application/octet-stream");

        using var response = await host.Admin.PostAsync("/api/admin/plugins?rolloutPercent=25&rolloutMinOpens=10", content);

        await Expect.StatusAsync(HttpStatusCode.Created, response);
        Assert.Equal("1.0.0", (await host.PluginAsync(PluginId)).GetProperty("activeVersion").GetString());
        var rollout = (await RolloutAsync(host)).GetProperty("current");
        Assert.Equal(25, rollout.GetProperty("percent").GetInt32());
        Assert.Equal(10, rollout.GetProperty("minOpens").GetInt32());
        Assert.Equal("2.0.0", rollout.GetProperty("candidate").GetProperty("version").GetString());
        Assert.Single(await AuditAsync(host, "plugin.rollout_start"));
    }
}
