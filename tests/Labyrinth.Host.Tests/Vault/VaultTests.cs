using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Labyrinth.Host.Tests.Vault;

/// <summary>One host without example plugins for the vault and services API tests; each test uses its own service id.</summary>
public sealed class VaultApp : IAsyncLifetime
{
    internal LabyrinthApp App { get; } = new(new Dictionary<string, string?> { ["Labyrinth:ExamplePluginsDir"] = "", ["Labyrinth:LoginAttemptsPerMinute"] = "100000" });

    internal HttpClient Admin { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Admin = await App.SetupAdminAsync();

    internal Task<HttpClient> MemberAsync() => App.CreateMemberAsync("m" + Guid.NewGuid().ToString("N")[..12], Admin);

    /// <summary>Defines a fresh service and returns its id.</summary>
    internal async Task<string> ServiceAsync()
    {
        var id = "svc-" + Guid.NewGuid().ToString("N")[..8];
        using var created = await Admin.PostAsJsonAsync("/api/admin/services", ServicesTests.Definition(id));
        await Expect.StatusAsync(HttpStatusCode.Created, created);
        return id;
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await App.DisposeAsync();
    }
}

public sealed class VaultTests(VaultApp vault) : IClassFixture<VaultApp>
{
    private const string Value = "sk-vault-test-value-abcdefghijkl-WXYZ";

    [Fact]
    public async Task CreateShared_ValidSecret_Returns201WithLast4AndNoValue()
    {
        var service = await vault.ServiceAsync();

        using var response = await vault.Admin.PostAsJsonAsync("/api/admin/secrets", new { name = "Team key", serviceId = service, value = Value });

        await Expect.StatusAsync(HttpStatusCode.Created, response);
        var text = await response.Content.ReadAsStringAsync();
        var dto = JsonDocument.Parse(text).RootElement;
        Assert.Equal(("shared", "WXYZ", service), (dto.GetProperty("scope").GetString(), dto.GetProperty("last4").GetString(), dto.GetProperty("serviceId").GetString()));
        Assert.DoesNotContain(Value, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateShared_SecondForSameService_Returns409Exists()
    {
        var service = await vault.ServiceAsync();
        using (await vault.Admin.PostAsJsonAsync("/api/admin/secrets", new { name = "a", serviceId = service, value = Value }))
        {
        }

        using var response = await vault.Admin.PostAsJsonAsync("/api/admin/secrets", new { name = "b", serviceId = service, value = Value });

        await Expect.ProblemAsync(HttpStatusCode.Conflict, "secret.exists", response);
    }

    [Theory]
    [InlineData("sk-a\nb")]
    [InlineData("sk-a\r\nX-Injected: 1")]
    [InlineData("")]
    public async Task Create_ValueWithControlCharactersOrEmpty_Returns400NamingValue(string value)
    {
        var service = await vault.ServiceAsync();

        using var response = await vault.Admin.PostAsJsonAsync("/api/admin/secrets", new { name = "a", serviceId = service, value });

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "request.invalid", response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("value", out _));
    }

    [Fact]
    public async Task Create_OverlongValue_Returns400()
    {
        var service = await vault.ServiceAsync();

        using var response = await vault.Admin.PostAsJsonAsync("/api/admin/secrets", new { name = "a", serviceId = service, value = new string('k', 8193) });

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "request.invalid", response);
    }

    [Fact]
    public async Task Create_UnknownService_Returns404ServiceNotFound()
    {
        using var response = await vault.Admin.PostAsJsonAsync("/api/admin/secrets", new { name = "a", serviceId = "no-such-service", value = Value });

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "service.not_found", response);
    }

    [Fact]
    public async Task Rotate_Secret_ChangesLast4AndNeverEchoesValue()
    {
        var service = await vault.ServiceAsync();
        var id = await CreateSharedAsync(service);

        using var response = await vault.Admin.PutAsJsonAsync($"/api/admin/secrets/{id}", new { value = "sk-rotated-value-000000-QRST" });

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("QRST", JsonDocument.Parse(text).RootElement.GetProperty("last4").GetString());
        Assert.DoesNotContain("sk-rotated-value", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_Secret_Returns204AndItIsGone()
    {
        var service = await vault.ServiceAsync();
        var id = await CreateSharedAsync(service);

        using var response = await vault.Admin.DeleteAsync($"/api/admin/secrets/{id}");

        await Expect.StatusAsync(HttpStatusCode.NoContent, response);
        var list = await vault.Admin.GetJsonAsync("/api/admin/secrets");
        Assert.DoesNotContain(list.EnumerateArray(), s => s.Id() == id);
    }

    [Fact]
    public async Task List_Admin_NeverContainsValues()
    {
        var service = await vault.ServiceAsync();
        await CreateSharedAsync(service);

        var text = await vault.Admin.GetStringAsync("/api/admin/secrets");

        Assert.Contains(service, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Value, text, StringComparison.Ordinal);
        Assert.DoesNotContain("protected", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Member_AdminSecrets_Returns403()
    {
        var member = await vault.MemberAsync();

        using var response = await member.GetAsync("/api/admin/secrets");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task UserSecret_OtherMember_CannotSeeRotateOrDelete()
    {
        var service = await vault.ServiceAsync();
        var owner = await vault.MemberAsync();
        var other = await vault.MemberAsync();
        using var created = await owner.PostAsJsonAsync("/api/secrets", new { name = "mine", serviceId = service, value = Value });
        await Expect.StatusAsync(HttpStatusCode.Created, created);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).Id();

        var othersList = await other.GetJsonAsync("/api/secrets");
        using var rotate = await other.PutAsJsonAsync($"/api/secrets/{id}", new { value = "sk-hijack-000000000000" });
        using var delete = await other.DeleteAsync($"/api/secrets/{id}");

        Assert.Empty(othersList.EnumerateArray());
        await Expect.ProblemAsync(HttpStatusCode.NotFound, "secret.not_found", rotate);
        await Expect.ProblemAsync(HttpStatusCode.NotFound, "secret.not_found", delete);
    }

    [Fact]
    public async Task UserSecret_AdminList_ShowsOwnerAndUserScope()
    {
        var service = await vault.ServiceAsync();
        var owner = await vault.MemberAsync();
        using var created = await owner.PostAsJsonAsync("/api/secrets", new { name = "mine", serviceId = service, value = Value });
        await Expect.StatusAsync(HttpStatusCode.Created, created);

        var list = await vault.Admin.GetJsonAsync("/api/admin/secrets");

        var row = list.EnumerateArray().Single(s => s.GetProperty("serviceId").GetString() == service);
        Assert.Equal("user", row.GetProperty("scope").GetString());
        Assert.StartsWith("m", row.GetProperty("owner").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lifecycle_IsAuditedWithoutValue()
    {
        var service = await vault.ServiceAsync();
        var id = await CreateSharedAsync(service);
        using (await vault.Admin.PutAsJsonAsync($"/api/admin/secrets/{id}", new { value = "sk-second-value-1111111111" }))
        {
        }

        using (await vault.Admin.DeleteAsync($"/api/admin/secrets/{id}"))
        {
        }

        var export = await vault.Admin.GetStringAsync("/api/admin/audit/export");

        var lines = export.Split('\n').Where(l => l.Contains(id, StringComparison.Ordinal)).ToList();
        Assert.Contains(lines, l => l.Contains("secret.create", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("secret.rotate", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("secret.delete", StringComparison.Ordinal));
        Assert.DoesNotContain(Value, export, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-second-value", export, StringComparison.Ordinal);
    }

    private async Task<string> CreateSharedAsync(string service)
    {
        using var response = await vault.Admin.PostAsJsonAsync("/api/admin/secrets", new { name = "Team key", serviceId = service, value = Value });
        await Expect.StatusAsync(HttpStatusCode.Created, response);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).Id();
    }
}
