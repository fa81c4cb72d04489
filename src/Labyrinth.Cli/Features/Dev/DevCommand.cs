using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Labyrinth.Cli.Features.Server;
using Labyrinth.Core.Packages;

namespace Labyrinth.Cli.Features.Dev;

/// <summary>
/// <c>plugin dev</c>: the save-to-screen loop. Runs the plugin's own <c>labyrinth-build --watch</c>
/// (one Node process, warm between builds), and after every successful build packs the output as
/// <c>&lt;version&gt;-dev.&lt;N&gt;</c> and uploads it to <c>/api/admin/plugins/dev</c>, where it
/// becomes the active version in the same sandbox, CSP and card origin as a release. Build errors
/// are printed; the last good version stays installed.
/// </summary>
internal static class DevCommand
{
    private const string DevOut = ".labyrinth/dev";

    public static void AddTo(Command plugin, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        var directory = new Argument<DirectoryInfo>("dir") { Description = "The plugin's source folder (default: the current folder).", Arity = ArgumentArity.ZeroOrOne };
        var server = new Option<string>("--server") { HelpName = "url", Description = $"The Labyrinth server. Default: $LABYRINTH_SERVER, the server of 'labyrinth login', else {ServerCommands.DefaultServer}." };
        var token = new Option<string>("--token") { HelpName = "token", Description = "An admin's personal access token. Default: $LABYRINTH_TOKEN, else the one 'labyrinth login' kept." };
        var once = new Option<bool>("--once") { Description = "Build and upload one development version, then exit (for scripts and tests)." };
        var command = new Command("dev", "Watch the plugin's sources; on every save build, upload a development version (x.y.z-dev.N) and let open cards pick it up.")
        {
            directory, server, token, once,
        };
        command.SetGuardedAction(context, async (parse, ct) =>
        {
            var source = parse.GetValue(directory)?.FullName ?? context.WorkingDirectory;
            if (!File.Exists(Path.Combine(source, "manifest.json")))
            {
                throw new CliException(ExitCodes.Usage, $"{source} has no manifest.json: run this in the plugin's folder (made by 'labyrinth plugin new').");
            }

            using var client = ServerCommands.Connect(context, parse.GetValue(server), parse.GetValue(token));
            var policy = await client.SendAsync(HttpMethod.Get, "api/admin/policy", null, ct);
            if (!policy.IsSuccess)
            {
                return await ServerCommands.PrintFailureAsync(context, policy);
            }

            if (policy.Body is { } p && p.TryGetProperty("devInstalls", out var dev) && !dev.GetProperty("allowed").GetBoolean())
            {
                throw new CliException(ExitCodes.Failed, $"{client.Server} does not take development installs: {dev.GetProperty("reason").GetString()}");
            }

            var build = FindBuildTool(source)
                ?? throw new CliException(ExitCodes.Failed, $"{source} has no node_modules/@labyrinth/sdk: run 'npm install' first.");
            var id = ReadPluginId(source);
            return await WatchAsync(context, client, new DevSession(source, build, id, parse.GetValue(once)), ct);
        });
        plugin.Add(command);
    }

    private sealed record DevSession(string Source, string BuildTool, string PluginId, bool Once);

    private static async Task<int> WatchAsync(CliContext context, ServerClient client, DevSession session, CancellationToken ct)
    {
        var (source, build, id, once) = session;
        var start = new ProcessStartInfo("node") { WorkingDirectory = source, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in new[] { build, "--watch", "--events", "--out", DevOut })
        {
            start.ArgumentList.Add(arg);
        }

        using var node = Process.Start(start) ?? throw new CliException(ExitCodes.Failed, "Could not start node.");
        _ = Task.Run(async () =>
        {
            // Warnings (Svelte's, esbuild's) go to the terminal as they come.
            while (await node.StandardError.ReadLineAsync(ct) is { } line)
            {
                await context.Error.WriteLineAsync(line);
            }
        }, ct);
        await context.Out.WriteLineAsync($"Watching {source} → {client.Server} (Ctrl+C to stop)");
        try
        {
            while (await node.StandardOutput.ReadLineAsync(ct) is { } line)
            {
                JsonNode? evt;
                try
                {
                    evt = JsonNode.Parse(line);
                }
                catch (JsonException)
                {
                    continue;
                }

                if (evt?["event"]?.GetValue<string>() == "failed")
                {
                    var message = evt["message"]?.GetValue<string>() ?? "The build failed.";
                    await context.Error.WriteLineAsync($"✗ build #{evt["build"]} failed; the last good version stays live:{Environment.NewLine}{message}");
                    // The card shows it too, over the last good version; the host may refuse (a member's token, dev installs off).
                    var shown = await client.ReportDevBuildFailedAsync(id, message, ct);
                    if (!shown.IsSuccess)
                    {
                        await ServerCommands.PrintFailureAsync(context, shown);
                    }

                    if (once)
                    {
                        return ExitCodes.Failed;
                    }

                    continue;
                }

                var ok = await UploadAsync(context, client, Path.Combine(source, DevOut), (double?)evt?["ms"] ?? 0, ct);
                if (once)
                {
                    return ok ? ExitCodes.Ok : ExitCodes.Failed;
                }
            }

            return ExitCodes.Failed;
        }
        finally
        {
            // Closing stdin ends the watcher (it exits when its stdin closes); kill is the fallback.
            node.StandardInput.Close();
            if (!node.WaitForExit(2000))
            {
                node.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>Packs the build output as the next development version and uploads it.</summary>
    private static async Task<bool> UploadAsync(CliContext context, ServerClient client, string output, double buildMs, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var problems = new List<string>();
        var files = PackageWriter.CollectFolder(output, problems);
        if (!files.TryGetValue("manifest.json", out var manifestBytes) || JsonNode.Parse(manifestBytes) is not JsonObject manifest)
        {
            await context.Error.WriteLineAsync("✗ the build wrote no manifest.json");
            return false;
        }

        // Milliseconds since 2020: increasing across restarts of the loop, within SemVer's 2^53 limit.
        var n = (DateTimeOffset.UtcNow - new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero)).Ticks / TimeSpan.TicksPerMillisecond;
        var baseVersion = (manifest["version"]?.GetValue<string>() ?? "0.0.0").Split('-', '+')[0];
        var version = $"{baseVersion}-dev.{n}";
        manifest["version"] = version;
        files["manifest.json"] = Encoding.UTF8.GetBytes(manifest.ToJsonString());
        var reply = await client.InstallDevelopmentAsync(PackageWriter.Write(files), ct);
        if (!reply.IsSuccess)
        {
            await context.Error.WriteLineAsync($"✗ {client.Server} refused {manifest["id"]} {version}; the last good version stays live:");
            await ServerCommands.PrintFailureAsync(context, reply);
            return false;
        }

        await context.Out.WriteLineAsync($"✓ {manifest["id"]} {version} live (build {buildMs:0} ms, upload {watch.ElapsedMilliseconds} ms)");
        return true;
    }

    private static string ReadPluginId(string source)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllBytes(Path.Combine(source, "manifest.json")))?["id"]?.GetValue<string>()
                ?? throw new CliException(ExitCodes.Usage, $"{source}/manifest.json has no \"id\".");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new CliException(ExitCodes.Usage, $"{source}/manifest.json is not valid JSON with a string \"id\": {ex.Message}");
        }
    }

    private static string? FindBuildTool(string source)
    {
        for (var dir = source; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            var candidate = Path.Combine(dir, "node_modules", "@labyrinth", "sdk", "bin", "labyrinth-build.mjs");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
