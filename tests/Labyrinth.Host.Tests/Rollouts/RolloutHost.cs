using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Labyrinth.Host.Tests.Governance;

namespace Labyrinth.Host.Tests.Rollouts;

/// <summary>Arrange helpers for groups, availability and rollouts on a <see cref="GovernanceHost"/>.</summary>
internal static class RolloutHost
{
    public const string PluginId = "com.example.staged";

    public static async Task<(HttpClient Client, Guid Id)> MemberAsync(GovernanceHost host, string name)
    {
        var client = await host.App.CreateMemberAsync(name, host.Admin);
        var me = await client.GetJsonAsync("/api/auth/me");
        return (client, me.GetProperty("id").GetGuid());
    }

    /// <summary>Signs an existing member in again (after a restart).</summary>
    public static async Task<HttpClient> SignInAsync(GovernanceHost host, string name)
    {
        var client = await host.App.CreateClientAsync();
        using var login = await client.PostAsJsonAsync("/api/auth/login", new { userName = name, password = LabyrinthApp.Password });
        await Expect.StatusAsync(HttpStatusCode.OK, login);
        return client;
    }

    public static async Task<Guid> GroupAsync(GovernanceHost host, string name, params Guid[] members)
    {
        using var created = await host.Admin.PostAsJsonAsync("/api/admin/groups", new { name });
        await Expect.StatusAsync(HttpStatusCode.Created, created);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        foreach (var member in members)
        {
            await AddMemberAsync(host, id, member);
        }

        return id;
    }

    public static async Task AddMemberAsync(GovernanceHost host, Guid group, Guid user)
    {
        using var added = await host.Admin.PostAsJsonAsync($"/api/admin/groups/{group}/members", new { userId = user });
        await Expect.StatusAsync(HttpStatusCode.OK, added);
    }

    public static async Task LimitAsync(GovernanceHost host, string pluginId, params Guid[]? groups)
    {
        using var response = await host.Admin.PutAsJsonAsync($"/api/admin/plugins/{pluginId}/availability", new { groups });
        await Expect.StatusAsync(HttpStatusCode.OK, response);
    }

    /// <summary>Installs 1.0.0 (active) and 2.0.0 (installed, not active), both with card type "t".</summary>
    public static async Task InstallTwoVersionsAsync(GovernanceHost host)
    {
        await host.InstallOkAsync(PluginId, "1.0.0");
        using var second = await Packages.UploadAsync(host.Admin, Packages.Zip(Packages.Sign(Packages.Plugin(PluginId, "2.0.0", script: "export default 2;"), host.Key)));
        await Expect.StatusAsync(HttpStatusCode.Created, second);
        using var back = await host.Admin.PostAsJsonAsync($"/api/admin/plugins/{PluginId}/activate", new { version = "1.0.0", rollback = true });
        await Expect.StatusAsync(HttpStatusCode.OK, back);
    }

    public static async Task<JsonElement> StartAsync(GovernanceHost host, object body)
    {
        using var response = await host.Admin.PostAsJsonAsync($"/api/admin/plugins/{PluginId}/rollout", body);
        await Expect.StatusAsync(HttpStatusCode.OK, response);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The version of <see cref="PluginId"/> the catalogue offers this person, or null when it does not list it.</summary>
    public static async Task<string?> OfferedVersionAsync(HttpClient client, string pluginId = PluginId) =>
        (await client.GetJsonAsync("/api/plugins")).EnumerateArray().Where(p => p.Id() == pluginId).Select(p => p.GetProperty("version").GetString()).SingleOrDefault();

    public static async Task ReportLoadAsync(HttpClient client, string version, bool ok, string? error = null)
    {
        using var response = await client.PostAsJsonAsync("/api/telemetry/card-load", new { pluginId = PluginId, version, typeID = "t", ok, loadMs = 12.5, error });
        await Expect.StatusAsync(HttpStatusCode.NoContent, response);
    }

    public static async Task<JsonElement> RolloutAsync(GovernanceHost host) =>
        await host.Admin.GetJsonAsync($"/api/admin/plugins/{PluginId}/rollout");

    public static async Task<JsonElement[]> AuditAsync(GovernanceHost host, string action) =>
        (await host.Admin.GetJsonAsync($"/api/admin/audit?action={action}")).GetProperty("items").EnumerateArray().ToArray();
}
