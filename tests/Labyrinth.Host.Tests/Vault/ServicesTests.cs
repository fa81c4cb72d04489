using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Labyrinth.Host.Tests.Vault;

public sealed class ServicesTests(VaultApp vault) : IClassFixture<VaultApp>
{
    internal static Dictionary<string, object?> Definition(string id) => new()
    {
        ["id"] = id,
        ["displayName"] = "Example " + id,
        ["baseUrl"] = "https://api.example.com/v1",
        ["methods"] = new[] { "POST", "GET" },
        ["pathPrefixes"] = new[] { "/chat/completions" },
        ["secret"] = new { @in = "header", name = "Authorization", template = "Bearer {secret}" },
        ["timeoutSeconds"] = 30,
        ["maxRequestBytes"] = 1024,
        ["maxResponseBytes"] = 4096,
        ["ratePerMinute"] = 10,
        ["allowStreaming"] = true,
        ["allowPrivateNetwork"] = false,
        ["enabled"] = true,
    };

    [Fact]
    public async Task FirstStart_OpenAiService_IsSeededDisabled()
    {
        var services = await vault.Admin.GetJsonAsync("/api/admin/services");

        var openai = services.EnumerateArray().Single(s => s.Id() == "openai");
        Assert.False(openai.GetProperty("enabled").GetBoolean());
        Assert.Equal("https://api.openai.com/v1", openai.GetProperty("baseUrl").GetString());
        Assert.Equal("Bearer {secret}", openai.GetProperty("secret").GetProperty("template").GetString());
        Assert.True(openai.GetProperty("allowStreaming").GetBoolean());
    }

    [Fact]
    public async Task Create_InvalidFields_Returns400WithErrorPerField()
    {
        var body = Definition("bad-one");
        body["baseUrl"] = "https://user:pw@api.example.com/v1?x=1";
        body["secret"] = new { @in = "header", name = "Authorization", template = "Bearer" };
        body["methods"] = new[] { "TRACE" };

        using var response = await vault.Admin.PostAsJsonAsync("/api/admin/services", body);

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "request.invalid", response);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("baseUrl", out _));
        Assert.True(errors.TryGetProperty("secret.template", out _));
        Assert.True(errors.TryGetProperty("methods", out _));
    }

    [Fact]
    public async Task Create_DuplicateId_Returns409()
    {
        var id = await vault.ServiceAsync();

        using var response = await vault.Admin.PostAsJsonAsync("/api/admin/services", Definition(id));

        await Expect.ProblemAsync(HttpStatusCode.Conflict, "service.exists", response);
    }

    [Fact]
    public async Task Update_Service_ReplacesDefinition()
    {
        var id = await vault.ServiceAsync();
        var body = Definition(id);
        body["displayName"] = "Renamed";
        body["enabled"] = false;

        using var response = await vault.Admin.PutAsJsonAsync($"/api/admin/services/{id}", body);

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        var dto = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("Renamed", false), (dto.GetProperty("displayName").GetString(), dto.GetProperty("enabled").GetBoolean()));
    }

    [Fact]
    public async Task Create_WithoutBurst_StoresOneSecondsWorthOfTheRate()
    {
        var body = Definition("burst-default-" + Guid.NewGuid().ToString("N")[..8]);
        body["ratePerMinute"] = 120;

        using var response = await vault.Admin.PostAsJsonAsync("/api/admin/services", body);

        await Expect.StatusAsync(HttpStatusCode.Created, response);
        Assert.Equal(2, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("burst").GetInt32());
    }

    [Fact]
    public async Task Update_Burst_IsStoredAndListed()
    {
        var id = await vault.ServiceAsync();
        var body = Definition(id);
        body["burst"] = 7;

        using (var response = await vault.Admin.PutAsJsonAsync($"/api/admin/services/{id}", body))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, response);
        }

        var listed = (await vault.Admin.GetJsonAsync("/api/admin/services")).EnumerateArray().Single(s => s.Id() == id);
        Assert.Equal(7, listed.GetProperty("burst").GetInt32());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    public async Task Create_BurstOutsideOneToRate_Returns400NamingBurst(int burst)
    {
        var body = Definition("burst-bad-" + Guid.NewGuid().ToString("N")[..8]);
        body["burst"] = burst;

        using var response = await vault.Admin.PostAsJsonAsync("/api/admin/services", body);

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "request.invalid", response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("burst", out _));
    }

    [Fact]
    public async Task Delete_Service_Returns204ThenUpdateIs404()
    {
        var id = await vault.ServiceAsync();

        using var deleted = await vault.Admin.DeleteAsync($"/api/admin/services/{id}");
        using var update = await vault.Admin.PutAsJsonAsync($"/api/admin/services/{id}", Definition(id));

        await Expect.StatusAsync(HttpStatusCode.NoContent, deleted);
        await Expect.ProblemAsync(HttpStatusCode.NotFound, "service.not_found", update);
    }

    [Fact]
    public async Task MemberList_ShowsConfiguredOnlyWithoutDefinitionDetails()
    {
        var id = await vault.ServiceAsync();
        using (var stored = await vault.Admin.PostAsJsonAsync("/api/admin/secrets", new { name = "k", serviceId = id, value = "sk-member-list-000000000" }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, stored);
        }

        var member = await vault.MemberAsync();

        var text = await member.GetStringAsync("/api/services");

        var row = JsonDocument.Parse(text).RootElement.EnumerateArray().Single(s => s.Id() == id);
        Assert.True(row.GetProperty("configured").GetBoolean());
        Assert.DoesNotContain("api.example.com", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Member_AdminServices_Returns403()
    {
        var member = await vault.MemberAsync();

        using var response = await member.PostAsJsonAsync("/api/admin/services", Definition("sneaky"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}

/// <summary>Seeding across restarts needs a data directory that outlives one host.</summary>
public sealed class ServiceSeedingTests
{
    [Fact]
    public async Task Restart_AfterAdminDeletedOpenAi_DoesNotSeedItAgain()
    {
        var dir = Path.Combine(Path.GetTempPath(), "labyrinth-seed-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?> { ["Labyrinth:DataDir"] = dir, ["Labyrinth:ExamplePluginsDir"] = "" };
        try
        {
            await using (var first = new LabyrinthApp(settings))
            {
                var admin = await first.SetupAdminAsync();
                using var deleted = await admin.DeleteAsync("/api/admin/services/openai");
                await Expect.StatusAsync(HttpStatusCode.NoContent, deleted);
            }

            await using var second = new LabyrinthApp(settings);
            var again = await second.CreateClientAsync();
            using (var login = await again.PostAsJsonAsync("/api/auth/login", new { userName = LabyrinthApp.AdminName, password = LabyrinthApp.Password }))
            {
                await Expect.StatusAsync(HttpStatusCode.OK, login);
            }

            var services = await again.GetJsonAsync("/api/admin/services");

            Assert.DoesNotContain(services.EnumerateArray(), s => s.Id() == "openai");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
