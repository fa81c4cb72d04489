using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Labyrinth.Cli.Tests.Infrastructure;

namespace Labyrinth.Cli.Tests;

public sealed class ServerCommandTests
{
    private const string Token = "lab_pat_test123";

    private const string PluginJson = """
        {"id":"com.example.greeter","activeVersion":"1.2.3","enabled":true,"killed":false,"unsignedAllowed":false,
         "versions":[{"version":"1.2.3","active":true,"killed":false,"signature":{"status":"trusted","keyName":"Alice","keyId":"abcd"}}],
         "dependents":[]}
        """;

    private static Task<CliRun> RunAsync(FakeServer server, params string[] args) =>
        CliRunner.RunAsync(new Dictionary<string, string> { ["LABYRINTH_SERVER"] = server.Url.ToString(), ["LABYRINTH_TOKEN"] = Token }, args);

    [Fact]
    public async Task ServerCommand_StoppedWithCtrlC_EndsWithOneLineAnd130NotAStackTrace()
    {
        await using var server = await FakeServer.StartAsync();

        var run = await CliRunner.RunStoppedAsync("plugin", "list", "--server", server.Url.ToString(), "--token", "t");

        Assert.Equal(130, run.ExitCode);
        Assert.Equal("Stopped.", run.Error.Trim());
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Install_Package_PostsBytesWithBearerToken()
    {
        await using var server = await FakeServer.StartAsync();
        server.Status = 201;
        server.Body = "{\"plugin\":" + PluginJson + ",\"installed\":{\"id\":\"com.example.greeter\",\"version\":\"1.2.3\"}}";
        using var temp = new TempDirectory();
        var package = temp.Combine("p.labyrinthplugin");
        File.WriteAllBytes(package, [1, 2, 3, 4]);

        var run = await RunAsync(server, "plugin", "install", package, "--rollback");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Installed com.example.greeter 1.2.3", run.Out);
        var request = Assert.Single(server.Requests);
        Assert.Equal(("POST", "/api/admin/plugins", "?rollback=true"), (request.Method, request.Path, request.Query));
        Assert.Equal("Bearer " + Token, request.Authorization);
        Assert.Equal("application/octet-stream", request.ContentType);
        Assert.Equal([1, 2, 3, 4], request.Body);
    }

    [Fact]
    public async Task Install_ValidationFailure_PrintsDetailAndEveryProblemAndExits1()
    {
        await using var server = await FakeServer.StartAsync();
        server.Status = 400;
        server.ContentType = "application/problem+json";
        server.Body = """
            {"title":"Bad package","detail":"The package was refused.","code":"package.invalid","status":400,
             "problems":[{"code":"package.symlink","entry":"cards/x.js","message":"Entry \"cards/x.js\": symbolic links are not allowed."},
                         {"code":"manifest.invalid","pointer":"/version","message":"The version must be SemVer 2."}]}
            """;
        using var temp = new TempDirectory();
        var package = temp.Combine("p.labyrinthplugin");
        File.WriteAllBytes(package, [1]);

        var run = await RunAsync(server, "plugin", "install", package);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error: The package was refused. (package.invalid, HTTP 400)", run.Error);
        Assert.Contains("cards/x.js: Entry \"cards/x.js\": symbolic links are not allowed. [package.symlink]", run.Error);
        Assert.Contains("/version: The version must be SemVer 2.", run.Error);
    }

    [Fact]
    public async Task List_PrintsPluginsAndJsonOnRequest()
    {
        await using var server = await FakeServer.StartAsync();
        server.Body = "[" + PluginJson + "]";

        var text = await RunAsync(server, "plugin", "list");
        var json = await RunAsync(server, "plugin", "list", "--json");

        Assert.Equal(0, text.ExitCode);
        Assert.Contains("com.example.greeter  active 1.2.3  enabled", text.Out);
        Assert.Contains("signed by Alice", text.Out);
        Assert.Equal("com.example.greeter", JsonDocument.Parse(json.Out).RootElement[0].GetProperty("id").GetString());
        Assert.All(server.Requests, r => Assert.Equal(("GET", "/api/admin/plugins"), (r.Method, r.Path)));
    }

    [Theory]
    [InlineData(new[] { "enable", "com.example.greeter" }, "/api/admin/plugins/com.example.greeter/enable", "")]
    [InlineData(new[] { "disable", "com.example.greeter", "--cascade" }, "/api/admin/plugins/com.example.greeter/disable", "{\"cascade\":true}")]
    [InlineData(new[] { "kill", "com.example.greeter@1.2.3", "--reason", "leaks data" }, "/api/admin/plugins/com.example.greeter/kill", "{\"version\":\"1.2.3\",\"reason\":\"leaks data\"}")]
    [InlineData(new[] { "kill", "com.example.greeter" }, "/api/admin/plugins/com.example.greeter/kill", "{}")]
    [InlineData(new[] { "unkill", "com.example.greeter@1.2.3" }, "/api/admin/plugins/com.example.greeter/unkill", "{\"version\":\"1.2.3\"}")]
    [InlineData(new[] { "rollback", "com.example.greeter", "1.0.0" }, "/api/admin/plugins/com.example.greeter/activate", "{\"version\":\"1.0.0\",\"rollback\":true}")]
    public async Task PluginActions_PostTheDocumentedPathAndBody(string[] args, string path, string body)
    {
        await using var server = await FakeServer.StartAsync();
        server.Body = PluginJson;

        var run = await RunAsync(server, ["plugin", .. args]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("com.example.greeter", run.Out);
        var request = Assert.Single(server.Requests);
        Assert.Equal(("POST", path), (request.Method, request.Path));
        Assert.Equal(body, request.BodyText);
        Assert.Equal("Bearer " + Token, request.Authorization);
    }

    [Fact]
    public async Task Uninstall_Version_SendsDeleteWithQuery()
    {
        await using var server = await FakeServer.StartAsync();
        server.Status = 204;

        var run = await RunAsync(server, "plugin", "uninstall", "com.example.greeter", "--version", "1.0.0");

        Assert.Equal(0, run.ExitCode);
        var request = Assert.Single(server.Requests);
        Assert.Equal(("DELETE", "/api/admin/plugins/com.example.greeter", "?version=1.0.0"), (request.Method, request.Path, request.Query));
    }

    [Fact]
    public async Task Disable_RequiredByOthers_NamesDependents()
    {
        await using var server = await FakeServer.StartAsync();
        server.Status = 409;
        server.Body = """{"detail":"Other plugins depend on it.","code":"dependency.required_by_others","dependents":["com.example.a","com.example.b"]}""";

        var run = await CliRunner.RunAsync("plugin", "disable", "com.example.greeter", "--server", server.Url.ToString(), "--token", "explicit");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("required by: com.example.a, com.example.b", run.Error);
        Assert.Equal("Bearer explicit", Assert.Single(server.Requests).Authorization);
    }

    [Fact]
    public async Task ServerError_Exits3()
    {
        await using var server = await FakeServer.StartAsync();
        server.Status = 500;
        server.Body = "oops";

        var run = await RunAsync(server, "plugin", "list");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("HTTP 500", run.Error);
    }

    [Fact]
    public async Task ConnectionRefused_Exits3WithSentenceNotStackTrace()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var run = await CliRunner.RunAsync("plugin", "list", "--server", $"http://127.0.0.1:{port}", "--token", Token);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains($"Could not reach the Labyrinth server at http://127.0.0.1:{port}/: the connection was refused", run.Error);
        Assert.DoesNotContain("   at ", run.All);
    }

    [Fact]
    public async Task MissingToken_IsUsageError()
    {
        var run = await CliRunner.RunAsync("plugin", "list", "--server", "http://127.0.0.1:1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("LABYRINTH_TOKEN", run.Error);
    }

    [Fact]
    public async Task MissingToken_NamesTheServersProfilePage()
    {
        var run = await CliRunner.RunAsync("plugin", "list", "--server", "http://labyrinth.example:5080/");

        Assert.Contains("http://labyrinth.example:5080/profile", run.Error);
    }
}
