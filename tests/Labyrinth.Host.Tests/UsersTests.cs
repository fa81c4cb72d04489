using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Labyrinth.Host.Tests;

public sealed class UsersTests
{
    [Fact]
    public async Task ListUsers_Member_Returns403()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var member = await app.CreateMemberAsync("alice");

        using var response = await member.GetAsync("/api/admin/users");

        await Expect.StatusAsync(HttpStatusCode.Forbidden, response);
    }

    [Fact]
    public async Task CreateUser_Member_Returns403()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var member = await app.CreateMemberAsync("alice");

        using var response = await member.PostAsJsonAsync("/api/admin/users", new { userName = "mallory", password = LabyrinthApp.Password, role = "admin" });

        await Expect.StatusAsync(HttpStatusCode.Forbidden, response);
    }

    [Fact]
    public async Task ListUsers_Anonymous_Returns401()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var client = await app.CreateClientAsync();

        using var response = await client.GetAsync("/api/admin/users");

        await Expect.StatusAsync(HttpStatusCode.Unauthorized, response);
    }

    [Fact]
    public async Task CreateUser_Admin_CreatesMember()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();

        using var response = await admin.PostAsJsonAsync("/api/admin/users", new { userName = "alice", password = LabyrinthApp.Password, role = "member" });

        await Expect.StatusAsync(HttpStatusCode.Created, response);
        var user = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("member", user.GetProperty("role").GetString());
        var names = (await admin.GetJsonAsync("/api/admin/users")).EnumerateArray().Select(u => u.GetProperty("userName").GetString());
        Assert.Contains("alice", names);
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("ALICE")]
    public async Task CreateUser_ExistingName_Returns409(string duplicate)
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        using (var first = await admin.PostAsJsonAsync("/api/admin/users", new { userName = "alice", password = LabyrinthApp.Password, role = "member" }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, first);
        }

        using var response = await admin.PostAsJsonAsync("/api/admin/users", new { userName = duplicate, password = LabyrinthApp.Password, role = "member" });

        await Expect.ProblemAsync(HttpStatusCode.Conflict, "user.exists", response);
    }

    [Fact]
    public async Task CreateUser_UnknownRole_Returns400()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();

        using var response = await admin.PostAsJsonAsync("/api/admin/users", new { userName = "alice", password = LabyrinthApp.Password, role = "root" });

        await Expect.StatusAsync(HttpStatusCode.BadRequest, response);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("role", out _));
    }
}
