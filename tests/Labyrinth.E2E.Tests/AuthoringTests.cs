using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Labyrinth.E2E.Tests.Infrastructure;
using Labyrinth.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>
/// docs/plugin-authoring.md "From nothing to a card", run as written on a folder outside the
/// repository: plugin new → npm install → npm test → plugin dev against this host → the card in
/// chromium → edits re-mount the open card with its history kept (and a broken save shows on the
/// card) → keys new + plugin pack --key → install on a second, Strict host. Each step's time goes
/// to the test output and to screenshots/authoring-times.json; none is asserted (the machine is shared).
/// </summary>
public sealed class AuthoringTests(E2EEnvironment env)
{
    [Fact(Timeout = 300_000)]
    public async Task Tutorial_NewTestDevEditPackInstall_WorksOnStrictHost()
    {
        var ct = TestContext.Current.CancellationToken;
        var steps = new List<(string Step, long Ms)>();
        var clock = Stopwatch.StartNew();
        async Task<T> Step<T>(string name, Func<Task<T>> run)
        {
            var sw = Stopwatch.StartNew();
            var result = await run();
            steps.Add((name, sw.ElapsedMilliseconds));
            return result;
        }

        var tmp = Directory.CreateTempSubdirectory("labyrinth-tutorial-").FullName;
        Assert.False(tmp.StartsWith(Cli.RepoRoot, StringComparison.Ordinal), "the tutorial must run outside the repository");
        var id = "com.example.dice" + Guid.NewGuid().ToString("N")[..6];
        var dir = Path.Combine(tmp, "dice");
        var (ctx, page) = await env.AdminPageAsync();
        Process? dev = null;
        ProcessOutput? devLog = null;
        LabyrinthServer? strict = null;
        IBrowserContext? strictCtx = null;
        try
        {
            // An admin's token, as the profile page makes it; the CLI reads it from the environment.
            await page.GotoAsync("/");
            var token = await Ui.ApiAsync(page, "POST", "/api/tokens", new { name = "tutorial" });
            Assert.True(token.Status == 201, token.Text);
            var cliEnv = new Dictionary<string, string>
            {
                ["LABYRINTH_SERVER"] = env.Server.BaseUrl,
                ["LABYRINTH_TOKEN"] = token.Json!.Value.GetProperty("token").GetString()!,
            };

            // 1. labyrinth plugin new: the SDK comes from this host's /sdk/ tarball.
            var created = await Step("plugin new", () => Cli.RunAsync(["plugin", "new", id, "--dir", dir], cliEnv));
            Assert.True(created.ExitCode == 0, created.ToString());
            Assert.Contains($"{env.Server.BaseUrl}/sdk/labyrinth-sdk-", await File.ReadAllTextAsync(Path.Combine(dir, "package.json"), ct), StringComparison.Ordinal);

            // 2. npm install && npm test (warm npm cache; the registry answers what the cache lacks).
            var install = await Step("npm install", () => Shell.RunAsync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], dir, TimeSpan.FromSeconds(150)));
            Assert.True(install.ExitCode == 0, install.ToString());
            var test = await Step("npm test", () => Shell.RunAsync("npm", ["test"], dir, TimeSpan.FromSeconds(120)));
            Assert.True(test.ExitCode == 0, test.ToString());

            // 3. labyrinth plugin dev: the first build goes live as a development version.
            dev = Shell.Start("dotnet", [Cli.DllPath(), "plugin", "dev"], dir, cliEnv, out var devOut);
            devLog = devOut;
            await Step("plugin dev: first build live", () => devOut.WaitForAsync(l => l.Contains(" live ", StringComparison.Ordinal), "the first development version live"));

            // 4. The card on a board, in the production frame; two rolls make a history.
            var boardId = await Ui.CreateBoardAsync(page);
            await page.GetByTestId("spawn-button").ClickAsync();
            await Expect(page.GetByTestId("spawn-item-dice")).ToContainTextAsync("dev 0.1.0-dev.");
            await page.Keyboard.PressAsync("Escape");
            var win = await Step("card opens", () => Ui.SpawnAsync(page, "dice"));
            var card = win.FrameLocator("iframe");
            await Expect(card.GetByRole(AriaRole.Heading, new() { Name = "Dice", Exact = true })).ToBeVisibleAsync();
            await card.GetByRole(AriaRole.Button, new() { Name = "Roll a d6" }).ClickAsync();
            await card.GetByRole(AriaRole.Button, new() { Name = "Roll a d6" }).ClickAsync();
            var history = card.GetByTestId("history").Locator("li");
            await Expect(history).ToHaveCountAsync(2);
            var rolls = await history.AllInnerTextsAsync();

            // The developer overlay (card menu): the bridge traffic both ways with sizes, the saved payload's size, load time.
            await win.GetByTestId("card-menu").ClickAsync();
            await page.GetByTestId("card-menu-developer").ClickAsync();
            var overlay = page.GetByTestId("dev-overlay");
            await Expect(overlay.Locator("[data-testid=dev-traffic] tr[data-type=setPayload][data-dir=in]")).ToHaveCountAsync(2);
            await Expect(overlay.Locator("[data-testid=dev-traffic] tr[data-type=init][data-dir=out]")).ToHaveCountAsync(1);
            await Expect(overlay.GetByTestId("dev-payload")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+ B$"));
            await Expect(overlay.GetByTestId("dev-load")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+ ms$"));
            await Ui.ScreenshotAsync(page, "authoring-00-dev-overlay");
            await overlay.GetByTestId("dev-overlay-close").ClickAsync();
            await Expect(overlay).ToHaveCountAsync(0);

            // 5. Save → the open card re-mounts on the new version with its history (three saves, median reported).
            var source = Path.Combine(dir, "src", "Dice.svelte");
            var original = await File.ReadAllTextAsync(source, ct);
            var reloads = new List<long>();
            for (var n = 2; n <= 4; n++)
            {
                var sw = Stopwatch.StartNew();
                await File.WriteAllTextAsync(source, original.Replace("<h1>Dice</h1>", $"<h1>Dice v{n}</h1>", StringComparison.Ordinal), ct);
                await Expect(card.GetByRole(AriaRole.Heading, new() { Name = $"Dice v{n}" })).ToBeVisibleAsync();
                reloads.Add(sw.ElapsedMilliseconds);
                Assert.Equal(rolls, await history.AllInnerTextsAsync());
            }

            steps.Add(("save → re-mounted card (median of 3)", reloads.Order().ElementAt(1)));
            var window = Ui.WindowDto(await Ui.GetBoardAsync(page, boardId), await Ui.WindowIdAsync(win));
            Assert.StartsWith("0.1.0-dev.", window.GetProperty("plugin").GetProperty("version").GetString(), StringComparison.Ordinal);
            await Ui.ScreenshotAsync(page, "authoring-01-live-reload");

            // 6. A broken save: the terminal and the card say why; the card keeps the last good version.
            await File.WriteAllTextAsync(source, original.Replace("<h1>Dice</h1>", "<h1>Dice {</h1>", StringComparison.Ordinal), ct);
            var failed = win.GetByTestId("card-build-failed");
            await Expect(failed).ToBeVisibleAsync();
            await Expect(failed).ToContainTextAsync("Dice.svelte");
            await Expect(card.GetByRole(AriaRole.Heading, new() { Name = "Dice v4" })).ToBeVisibleAsync();
            await devOut.WaitForAsync(l => l.Contains("failed; the last good version stays live", StringComparison.Ordinal), "the build error in the terminal");
            await Ui.ScreenshotAsync(page, "authoring-02-build-failed");
            await File.WriteAllTextAsync(source, original, ct);
            await Expect(card.GetByRole(AriaRole.Heading, new() { Name = "Dice", Exact = true })).ToBeVisibleAsync();
            await Expect(failed).ToHaveCountAsync(0);
            Assert.Equal(rolls, await history.AllInnerTextsAsync());
            dev.Kill(entireProcessTree: true);

            // 7. A publisher key, the signed package (the accessibility gate runs), install on a Strict host.
            var keyFile = Path.Combine(tmp, "me.key.json");
            var keys = await Cli.RunAsync(["keys", "new", "--name", "Tutorial", "--out", keyFile, "--json"]);
            Assert.True(keys.ExitCode == 0, keys.ToString());
            var pkg = Path.Combine(tmp, "dice.labyrinthplugin");
            var pack = await Step("plugin pack --key", () => Cli.RunAsync(["plugin", "pack", dir, "--key", keyFile, "--out", pkg]));
            Assert.True(pack.ExitCode == 0, pack.ToString());

            strict = LabyrinthServer.StartNew();
            strictCtx = await env.NewContextAsync(strict);
            var strictPage = await strictCtx.NewPageAsync();
            await Ui.CompleteSetupAsync(strictPage, await strict.SetupUrlAsync(), E2EEnvironment.AdminUser, E2EEnvironment.AdminPassword);
            var policy = await Ui.ApiAsync(strictPage, "GET", "/api/admin/policy");
            Assert.Equal("Strict", policy.Json!.Value.GetProperty("mode").GetString());
            var strictToken = await Ui.ApiAsync(strictPage, "POST", "/api/tokens", new { name = "tutorial" });
            var strictEnv = new Dictionary<string, string>
            {
                ["LABYRINTH_SERVER"] = strict.BaseUrl,
                ["LABYRINTH_TOKEN"] = strictToken.Json!.Value.GetProperty("token").GetString()!,
            };
            var trust = await Step("keys trust (Strict host)", () => Cli.RunAsync(["keys", "trust", keyFile], strictEnv));
            Assert.True(trust.ExitCode == 0, trust.ToString());
            var installed = await Step("plugin install (Strict host)", () => Cli.RunAsync(["plugin", "install", pkg], strictEnv));
            Assert.True(installed.ExitCode == 0, installed.ToString());
            await Ui.CreateBoardAsync(strictPage);
            var released = await Ui.SpawnAsync(strictPage, "dice");
            await Expect(released.FrameLocator("iframe").GetByRole(AriaRole.Heading, new() { Name = "Dice", Exact = true })).ToBeVisibleAsync();
            var plugin = (await Ui.ApiAsync(strictPage, "GET", "/api/plugins")).Json!.Value.EnumerateArray().Single(p => p.GetProperty("id").GetString() == id);
            Assert.Equal("0.1.0", plugin.GetProperty("version").GetString());
            Assert.Equal("trusted", plugin.GetProperty("signature").GetProperty("status").GetString());
        }
        finally
        {
            steps.Add(("whole path", clock.ElapsedMilliseconds));
            var report = string.Join('\n', steps.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Step,-40} {s.Ms,7} ms")));
            TestContext.Current.TestOutputHelper?.WriteLine(report + "\n\nlabyrinth plugin dev:\n" + devLog);
            await File.WriteAllTextAsync(Path.Combine(E2EEnvironment.ScreenshotDir, "authoring-times.json"),
                JsonSerializer.Serialize(steps.Select(s => new { step = s.Step, ms = s.Ms })), CancellationToken.None);
            if (dev is { HasExited: false })
            {
                dev.Kill(entireProcessTree: true);
            }

            dev?.Dispose();
            if (strictCtx is not null)
            {
                await strictCtx.CloseAsync();
            }

            if (strict is not null)
            {
                await strict.DisposeAsync();
            }

            // Leave the shared host without the tutorial's plugin.
            await Ui.ApiAsync(page, "DELETE", $"/api/admin/plugins/{id}");
            await ctx.CloseAsync();
            Directory.Delete(tmp, recursive: true);
        }
    }
}

/// <summary>External commands for the tutorial: npm, and the long-running <c>labyrinth plugin dev</c>.</summary>
internal static class Shell
{
    public static async Task<Cli.Result> RunAsync(string file, IReadOnlyList<string> args, string cwd, TimeSpan timeout)
    {
        using var p = Start(file, args, cwd, null, out var output);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeout}:\n{output}");
        }

        p.WaitForExit();
        return new Cli.Result(p.ExitCode, output.ToString(), "");
    }

    /// <summary>Starts a process whose stdout and stderr lines collect in <paramref name="output"/>.</summary>
    public static Process Start(string file, IReadOnlyList<string> args, string cwd, IReadOnlyDictionary<string, string>? environment, out ProcessOutput output)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
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

        var p = new Process { StartInfo = psi };
        var lines = new ProcessOutput();
        p.OutputDataReceived += (_, e) => lines.Add(e.Data);
        p.ErrorDataReceived += (_, e) => lines.Add(e.Data);
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        output = lines;
        return p;
    }
}

/// <summary>A process's output lines, in order, awaitable.</summary>
internal sealed class ProcessOutput
{
    private readonly ConcurrentQueue<string> _lines = new();

    public void Add(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }

    /// <summary>Polls until a line matches; on timeout the failure shows everything printed so far.</summary>
    public Task<string> WaitForAsync(Func<string, bool> match, string what) =>
        Eventually.ReachAsync(() => Task.FromResult(ToString()), all => _lines.Any(match), what, TimeSpan.FromSeconds(60));

    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var l in _lines)
        {
            sb.AppendLine(l);
        }

        return sb.ToString();
    }
}
