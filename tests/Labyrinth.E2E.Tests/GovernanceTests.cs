using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Labyrinth.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>
/// Governance as an admin and an operator would do it: kill a plugin live from the admin page while
/// someone else has it open, install a signed package with the `labyrinth` CLI and roll it back,
/// refuse a tampered upload, and check the audit chain in the page and with the CLI.
/// Every test leaves the shared host's plugins as it found them (hello 1.0.0 active, not killed).
/// </summary>
public sealed class GovernanceTests(E2EEnvironment env)
{
    private const string Hello = "dev.labyrinth.hello";

    /// <summary>A kill from another browser closes an open card within seconds, with the reason; files 410, spawns refused; unkill + "Try again" brings it back.</summary>
    [Fact(Timeout = 90_000)]
    public async Task KillSwitch_FromAdminPage_StopsOpenCardElsewhereUntilUnkill()
    {
        var reason = "E2E kill " + Guid.NewGuid().ToString("N")[..6];
        var (ctxA, pageA) = await env.AdminPageAsync();
        var (ctxB, pageB) = await env.AdminPageAsync();
        try
        {
            // A: the hub handshake answer ("{}\x1e") means kills will reach this page.
            var hubReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            pageA.WebSocket += (_, ws) =>
            {
                if (ws.Url.Contains("/hubs/plugins", StringComparison.Ordinal))
                {
                    ws.FrameReceived += (_, _) => hubReady.TrySetResult();
                }
            };
            var boardId = await Ui.CreateBoardAsync(pageA);
            var win = await Ui.SpawnAsync(pageA, "hello");
            var count = win.FrameLocator("iframe[title*='Hello']").GetByTestId("count");
            await Expect(count).ToBeVisibleAsync();
            // Its files live on its card origin (where its frame is), never on the host's.
            var frameSrc = new Uri(await CardUi.Frame(win).GetAttributeAsync("src") ?? "");
            var cardHost = frameSrc.Authority;
            var capability = "/" + string.Join('/', frameSrc.AbsolutePath.Split('/')[1..3]); // this person's /cap/{token}
            await hubReady.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

            // B: the admin kills hello with a reason.
            await AdminUi.OpenAsync(pageB);
            var row = AdminUi.PluginRow(pageB, Hello);
            await row.GetByTestId("plugin-kill").ClickAsync();
            await AdminUi.ConfirmAsync(pageB, reason);
            var killedAt = Stopwatch.StartNew();
            await Expect(row).ToHaveAttributeAsync("data-killed", "true");

            // A: the window says why, a toast appears, the frame is gone.
            var stopped = win.GetByTestId("card-stopped");
            await Expect(stopped).ToBeVisibleAsync(new() { Timeout = 5_000 });
            await Expect(stopped.GetByTestId("card-stopped-reason")).ToHaveTextAsync(reason);
            Assert.True(killedAt.Elapsed < TimeSpan.FromSeconds(5), $"card stopped after {killedAt.Elapsed}");
            await Expect(pageA.GetByTestId("toast").Filter(new() { HasText = reason })).ToBeVisibleAsync();
            await Expect(win.Locator("iframe")).ToHaveCountAsync(0);
            await Ui.ScreenshotAsync(pageA, "governance-01-killed");

            // Its files answer 410 on its card origin (asked directly, not from a browser cache; the
            // host page's CSP lets it fetch nothing there), and it cannot be spawned.
            var version = await stopped.GetAttributeAsync("data-version") ?? "1.0.0";
            using (var http = new HttpClient())
            using (var file = new HttpRequestMessage(HttpMethod.Get, $"{env.Server.BaseUrl}{capability}/plugins/{Hello}/{version}/cards/hello.js"))
            {
                file.Headers.Host = cardHost;
                using var answer = await http.SendAsync(file, TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.Gone, answer.StatusCode);
            }

            var board = await Ui.GetBoardAsync(pageA, boardId);
            var spawn = await Ui.ApiAsync(pageA, "POST", $"/api/boards/{boardId}/windows", new
            {
                kind = "plugin",
                plugin = new { pluginId = Hello, typeID = "hello" },
            }, Ui.Quote(board.GetProperty("version").GetInt64()));
            Assert.True(spawn.Status == 400, spawn.Text);
            Assert.Equal("spawn.plugin_killed", spawn.Code);

            // B unkills; A's "Try again" brings the card back.
            await row.GetByTestId("plugin-unkill").ClickAsync();
            await AdminUi.ConfirmAsync(pageB);
            await Expect(row).ToHaveAttributeAsync("data-killed", "false");
            await win.GetByTestId("card-stopped-retry").ClickAsync();
            await Expect(win.GetByTestId("card-stopped")).ToHaveCountAsync(0);
            await Expect(count).ToBeVisibleAsync();
        }
        finally
        {
            await Ui.ApiAsync(pageB, "POST", $"/api/admin/plugins/{Hello}/unkill", new { });
            await ctxA.CloseAsync();
            await ctxB.CloseAsync();
        }
    }

    /// <summary>keys new → trust in the page → pack/verify → tampered upload refused → CLI install (token) → page shows it signed and active → CLI rollback.</summary>
    [Fact(Timeout = 90_000)]
    public async Task SignedPackage_CliRoundTrip_InstallsAndTamperedUploadIsRefused()
    {
        var tmp = Directory.CreateTempSubdirectory("labyrinth-gov-").FullName;
        var (ctx, page) = await env.AdminPageAsync();
        string? tokenId = null, keyId = null;
        try
        {
            // The operator makes a key; the admin trusts its public half through the page.
            var keyFile = Path.Combine(tmp, "e2e.key.json");
            var keyName = "E2E publisher " + Guid.NewGuid().ToString("N")[..6];
            var keys = await Cli.RunAsync(["keys", "new", "--name", keyName, "--out", keyFile, "--json"]);
            Assert.True(keys.ExitCode == 0, keys.ToString());
            using (var k = JsonDocument.Parse(keys.Out))
            {
                keyId = k.RootElement.GetProperty("keyId").GetString();
                var publicKey = k.RootElement.GetProperty("publicKey").GetString()!;
                await AdminUi.OpenAsync(page);
                var form = page.GetByTestId("trust-add");
                await form.GetByTestId("trust-name").FillAsync(keyName);
                await form.GetByTestId("trust-key").FillAsync(publicKey);
                await form.GetByRole(AriaRole.Button, new() { Name = "Add key" }).ClickAsync();
                await Expect(page.GetByTestId("trust-row").Filter(new() { HasText = keyName })).ToBeVisibleAsync();
            }

            // hello 1.1.0: the built plugin with the version bumped, packed, signed and verified offline.
            var dir = Path.Combine(tmp, "hello");
            CopyDir(Path.Combine(Cli.RepoRoot, "plugins", "hello", "dist"), dir);
            var manifestPath = Path.Combine(dir, "manifest.json");
            var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
            manifest["version"] = "1.1.0";
            File.WriteAllText(manifestPath, manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            var pkg = Path.Combine(tmp, "hello-1.1.0.labyrinthplugin");
            var pack = await Cli.RunAsync(["plugin", "pack", dir, "--key", keyFile, "--out", pkg]);
            Assert.True(pack.ExitCode == 0, pack.ToString());
            var verify = await Cli.RunAsync(["plugin", "verify", pkg, "--trust", keyFile]);
            Assert.True(verify.ExitCode == 0, verify.ToString());

            // The same package with one file changed after signing (old SIGNATURE kept).
            var tampered = Path.Combine(tmp, "hello-1.1.0-tampered.labyrinthplugin");
            File.Copy(pkg, tampered);
            using (var zip = ZipFile.Open(tampered, ZipArchiveMode.Update))
            {
                var entry = zip.GetEntry("cards/hello.js") ?? throw new InvalidOperationException("no cards/hello.js in the package");
                string js;
                using (var r = new StreamReader(entry.Open()))
                {
                    js = await r.ReadToEndAsync(TestContext.Current.CancellationToken);
                }

                entry.Delete();
                using var w = new StreamWriter(zip.CreateEntry("cards/hello.js").Open(), new UTF8Encoding(false));
                await w.WriteAsync(js + "\n;globalThis.__tampered = true;\n");
            }

            var offline = await Cli.RunAsync(["plugin", "verify", tampered, "--trust", keyFile]);
            Assert.True(offline.ExitCode == 1, offline.ToString());

            // Uploading it through the page is refused with the signature problem; nothing is installed.
            var before = await VersionsAsync(page);
            await page.GetByTestId("upload-input").SetInputFilesAsync(tampered);
            var problems = page.GetByTestId("upload-problems");
            await Expect(problems).ToBeVisibleAsync();
            await Expect(problems).ToHaveAttributeAsync("data-code", "signature.tampered");
            await Expect(problems.GetByTestId("upload-problem").Filter(new() { HasText = "signature.tampered" })).ToHaveCountAsync(1);
            await Ui.ScreenshotAsync(page, "governance-02-tampered");
            Assert.Equal(before, await VersionsAsync(page));
            var leftovers = Directory.EnumerateFileSystemEntries(env.Server.DataDir, "*", SearchOption.AllDirectories)
                .Where(p => p.Contains($"{Hello}{Path.DirectorySeparatorChar}1.1.0", StringComparison.Ordinal) || Path.GetFileName(p).StartsWith(".staging-", StringComparison.Ordinal))
                .ToList();
            Assert.True(leftovers.Count == 0, "left on disk: " + string.Join(", ", leftovers));

            // A personal access token, minted from the signed-in page, lets the CLI install.
            var token = await Ui.ApiAsync(page, "POST", "/api/tokens", new { name = "e2e-cli" });
            Assert.True(token.Status == 201, token.Text);
            tokenId = token.Json!.Value.GetProperty("id").ToString();
            var env2 = new Dictionary<string, string>
            {
                ["LABYRINTH_SERVER"] = env.Server.BaseUrl,
                ["LABYRINTH_TOKEN"] = token.Json!.Value.GetProperty("token").GetString()!,
            };
            var install = await Cli.RunAsync(["plugin", "install", pkg], env2);
            Assert.True(install.ExitCode == 0, install.ToString());

            await AdminUi.OpenAsync(page);
            var v110 = await AdminUi.VersionRowAsync(page, Hello, "1.1.0");
            await Expect(v110).ToContainTextAsync("Active");
            await Expect(v110.GetByTestId("badge-signed")).ToBeVisibleAsync();
            await Ui.ScreenshotAsync(page, "governance-03-installed");

            var rollback = await Cli.RunAsync(["plugin", "rollback", Hello, "1.0.0"], env2);
            Assert.True(rollback.ExitCode == 0, rollback.ToString());
            await AdminUi.OpenAsync(page);
            await Expect(await AdminUi.VersionRowAsync(page, Hello, "1.0.0")).ToContainTextAsync("Active");
            await Expect(await AdminUi.VersionRowAsync(page, Hello, "1.1.0")).Not.ToContainTextAsync("Active");
        }
        finally
        {
            // Back to hello 1.0.0 alone, no extra key or token.
            var list = await Ui.ApiAsync(page, "GET", "/api/admin/plugins");
            if (list.Text.Contains("\"1.1.0\"", StringComparison.Ordinal))
            {
                await Ui.ApiAsync(page, "POST", $"/api/admin/plugins/{Hello}/activate", new { version = "1.0.0", rollback = true });
                await Ui.ApiAsync(page, "DELETE", $"/api/admin/plugins/{Hello}?version=1.1.0");
            }

            if (tokenId is not null)
            {
                await Ui.ApiAsync(page, "DELETE", $"/api/tokens/{tokenId}");
            }

            if (keyId is not null)
            {
                await Ui.ApiAsync(page, "DELETE", $"/api/admin/trust/{Uri.EscapeDataString(keyId)}");
            }

            await ctx.CloseAsync();
            Directory.Delete(tmp, recursive: true);
        }
    }

    /// <summary>"Verify chain" in the page says intact, and `labyrinth audit verify` accepts the page's export.</summary>
    [Fact(Timeout = 60_000)]
    public async Task AuditChain_PageAndCliExport_Verify()
    {
        var (ctx, page) = await env.AdminPageAsync();
        var file = Path.Combine(Path.GetTempPath(), $"labyrinth-audit-{Guid.NewGuid():N}.ndjson");
        try
        {
            // At least one governance action of this test's own, whatever ran before.
            await AdminUi.OpenAsync(page);
            var row = AdminUi.PluginRow(page, Hello);
            await row.GetByTestId("plugin-kill").ClickAsync();
            await AdminUi.ConfirmAsync(page, "audit e2e");
            await Expect(row).ToHaveAttributeAsync("data-killed", "true");
            await row.GetByTestId("plugin-unkill").ClickAsync();
            await AdminUi.ConfirmAsync(page);
            await Expect(row).ToHaveAttributeAsync("data-killed", "false");
            // The audit log has its own admin page, reached from the side navigation.
            await page.GetByTestId("side-nav-admin-audit").ClickAsync();
            await Expect(page.GetByTestId("admin-audit")).ToBeVisibleAsync();
            await Expect(page.Locator("[data-testid=audit-row][data-action='plugin.unkill']").First).ToBeVisibleAsync();

            await page.GetByTestId("audit-verify").ClickAsync();
            var result = page.GetByTestId("audit-verify-result");
            await Expect(result).ToHaveAttributeAsync("data-valid", "true");
            await Expect(result).ToContainTextAsync("Chain intact");

            // The export is NDJSON (not one JSON value), so fetched as text, as the page's "Export" does.
            var export = await page.EvaluateAsync<JsonElement>(
                @"async () => {
                    const r = await fetch('/api/admin/audit/export', { headers: { 'X-Labyrinth-Request': '1' } });
                    return { status: r.status, type: r.headers.get('Content-Type'), text: await r.text() };
                  }");
            Assert.Equal(200, export.GetProperty("status").GetInt32());
            Assert.StartsWith("application/x-ndjson", export.GetProperty("type").GetString(), StringComparison.Ordinal);
            var ndjson = export.GetProperty("text").GetString()!;
            Assert.Contains("plugin.unkill", ndjson, StringComparison.Ordinal);
            await File.WriteAllTextAsync(file, ndjson, TestContext.Current.CancellationToken);
            var cli = await Cli.RunAsync(["audit", "verify", file]);
            Assert.True(cli.ExitCode == 0, cli.ToString());
            Assert.StartsWith("ok:", cli.Out.Trim(), StringComparison.Ordinal);
        }
        finally
        {
            await Ui.ApiAsync(page, "POST", $"/api/admin/plugins/{Hello}/unkill", new { });
            await ctx.CloseAsync();
            File.Delete(file);
        }
    }

    /// <summary>"id@version" of every installed plugin version, sorted.</summary>
    private static async Task<string> VersionsAsync(IPage page)
    {
        var r = await Ui.ApiAsync(page, "GET", "/api/admin/plugins");
        Assert.Equal(200, r.Status);
        return string.Join(",", r.Json!.Value.EnumerateArray()
            .SelectMany(p => p.GetProperty("versions").EnumerateArray().Select(v => p.GetProperty("id").GetString() + "@" + v.GetProperty("version").GetString()))
            .Order(StringComparer.Ordinal));
    }

    private static void CopyDir(string from, string to)
    {
        foreach (var f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }
    }
}

/// <summary>The `labyrinth` CLI as built next to this test assembly (same configuration), run with `dotnet`.</summary>
internal static class Cli
{
    public static readonly string RepoRoot = FindRepoRoot();

    public sealed record Result(int ExitCode, string Out, string Err)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout: {Out}\nstderr: {Err}";
    }

    public static async Task<Result> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(DllPath());
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment.Remove("LABYRINTH_SERVER");
        psi.Environment.Remove("LABYRINTH_TOKEN");
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"labyrinth {string.Join(' ', args)} did not finish in 30 s");
        }

        return new Result(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>tests/Labyrinth.E2E.Tests/bin/&lt;Configuration&gt;/net10.0/ → src/Labyrinth.Cli/bin/&lt;Configuration&gt;/net10.0/Labyrinth.Cli.dll.</summary>
    internal static string DllPath()
    {
        var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfmDir.Parent!.Name;
        var dll = Path.Combine(RepoRoot, "src", "Labyrinth.Cli", "bin", configuration, tfmDir.Name, "Labyrinth.Cli.dll");
        Assert.True(File.Exists(dll), $"the CLI is not built: {dll} (build the solution first)");
        return dll;
    }

    private static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Labyrinth.slnx")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("Labyrinth.slnx not found above " + AppContext.BaseDirectory);
    }
}
