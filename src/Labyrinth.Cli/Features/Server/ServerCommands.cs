using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Labyrinth.Cli.Features.Server;

/// <summary>
/// <c>plugin install | list | enable | disable | kill | unkill | rollback | uninstall</c> against a
/// server's admin API. Handlers only parse, call <see cref="ServerClient"/> and print.
/// </summary>
internal static class ServerCommands
{
    public const string DefaultServer = "http://localhost:5080";

    public static void AddTo(Command plugin, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(plugin);

        var package = new Argument<FileInfo>("package") { Description = "The .labyrinthplugin to upload." };
        var rollback = new Option<bool>("--rollback") { Description = "Allow installing a lower version than the active one." };
        plugin.Add(Define(context, "install", "Upload and install a package on the server (it checks signature, trust policy and dependencies).",
            [package, rollback], async (parse, client, ct) =>
            {
                var path = CliApp.RequireFile(parse.GetRequiredValue(package).FullName, "The package");
                return await client.InstallAsync(await File.ReadAllBytesAsync(path, ct), parse.GetValue(rollback), ct);
            },
            reply => reply.Body is { } body && body.TryGetProperty("installed", out var installed)
                ? $"Installed {Text(installed, "id")} {Text(installed, "version")}" + (body.TryGetProperty("plugin", out var p) ? Environment.NewLine + Describe(p) : "")
                : "Installed."));

        plugin.Add(Define(context, "list", "List installed plugins with their versions, state and signature.", [],
            (_, client, ct) => client.ListAsync(ct), DescribeList));

        var enableId = IdArgument();
        plugin.Add(Define(context, "enable", "Enable a plugin (its dependencies must be installed and enabled).", [enableId],
            (parse, client, ct) => client.EnableAsync(parse.GetRequiredValue(enableId), ct), DescribePlugin));

        var disableId = IdArgument();
        var cascade = new Option<bool>("--cascade") { Description = "Also disable the enabled plugins that depend on it (otherwise the server refuses and names them)." };
        plugin.Add(Define(context, "disable", "Disable a plugin.", [disableId, cascade],
            (parse, client, ct) => client.DisableAsync(parse.GetRequiredValue(disableId), parse.GetValue(cascade), ct), DescribePlugin));

        var killTarget = new Argument<string>("id[@version]") { Description = "The plugin id, or id@version to kill one version only." };
        var reason = new Option<string>("--reason") { HelpName = "text",  Description = "Shown to users whose open cards close." };
        plugin.Add(Define(context, "kill", "Kill switch: close every open card of the plugin (or one version) in every browser at once and refuse new ones, until unkilled.",
            [killTarget, reason], (parse, client, ct) =>
            {
                var (id, version) = SplitTarget(parse.GetRequiredValue(killTarget));
                return client.KillAsync(id, version, parse.GetValue(reason), ct);
            }, DescribePlugin));

        var unkillTarget = new Argument<string>("id[@version]") { Description = "The plugin id, or id@version." };
        plugin.Add(Define(context, "unkill", "Lift a kill switch.", [unkillTarget], (parse, client, ct) =>
        {
            var (id, version) = SplitTarget(parse.GetRequiredValue(unkillTarget));
            return client.UnkillAsync(id, version, ct);
        }, DescribePlugin));

        var rollbackId = IdArgument();
        var rollbackVersion = new Argument<string>("version") { Description = "An installed version, usually lower than the active one." };
        plugin.Add(Define(context, "rollback", "Make an installed (lower) version the active one.", [rollbackId, rollbackVersion],
            (parse, client, ct) => client.ActivateAsync(parse.GetRequiredValue(rollbackId), parse.GetRequiredValue(rollbackVersion), rollback: true, ct),
            DescribePlugin));

        var uninstallId = IdArgument();
        var version = new Option<string>("--version") { HelpName = "version",  Description = "Remove only this version (default: the whole plugin)." };
        plugin.Add(Define(context, "uninstall", "Remove a plugin's files and rows (the audit trail is kept).", [uninstallId, version],
            (parse, client, ct) => client.UninstallAsync(parse.GetRequiredValue(uninstallId), parse.GetValue(version), ct),
            _ => "Uninstalled."));
    }

    /// <summary>Splits <c>id@version</c>; a plugin id never contains '@' (it is reverse-DNS).</summary>
    internal static (string Id, string? Version) SplitTarget(string target)
    {
        var at = target.IndexOf('@', StringComparison.Ordinal);
        if (at == 0 || at == target.Length - 1)
        {
            throw new CliException(ExitCodes.Usage, $"\"{target}\" is not id or id@version.");
        }

        return at < 0 ? (target, null) : (target[..at], target[(at + 1)..]);
    }

    private static Argument<string> IdArgument() => new("id") { Description = "The plugin id, like com.example.my-plugin." };

    private static Command Define(
        CliContext context,
        string name,
        string description,
        Symbol[] symbols,
        Func<ParseResult, ServerClient, CancellationToken, Task<ServerReply>> call,
        Func<ServerReply, string> describe)
    {
        var server = new Option<string>("--server") { HelpName = "url",  Description = $"The Labyrinth server URL. Default: $LABYRINTH_SERVER, else {DefaultServer}." };
        var token = new Option<string>("--token") { HelpName = "token",  Description = "A personal access token (create one at <server>/profile, \"Personal access tokens\"). Default: $LABYRINTH_TOKEN, else the one 'labyrinth login' kept." };
        var json = new Option<bool>("--json") { Description = "Print the server's JSON answer." };
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Argument argument:
                    command.Add(argument);
                    break;
                case Option option:
                    command.Add(option);
                    break;
            }
        }

        command.Add(server);
        command.Add(token);
        command.Add(json);
        command.SetGuardedAction(context, async (parse, ct) =>
        {
            using var client = Connect(context, parse.GetValue(server), parse.GetValue(token));
            var reply = await call(parse, client, ct);
            if (!reply.IsSuccess)
            {
                return await PrintFailureAsync(context, reply);
            }

            if (parse.GetValue(json))
            {
                context.WriteJson(reply.Body ?? (object)new { ok = true });
            }
            else
            {
                await context.Out.WriteLineAsync(describe(reply));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// The server (<c>--server</c>, <c>$LABYRINTH_SERVER</c>, the one <c>labyrinth login</c> used last,
    /// else <see cref="DefaultServer"/>) and its token (<c>--token</c>, <c>$LABYRINTH_TOKEN</c>, else
    /// the one kept by <c>labyrinth login</c> for that server).
    /// </summary>
    internal static ServerClient Connect(CliContext context, string? serverOption, string? tokenOption)
    {
        var credentials = new Login.Credentials(context);
        var server = ParseServer(serverOption ?? NonEmpty(context.Environment("LABYRINTH_SERVER")) ?? credentials.DefaultServer ?? DefaultServer);
        var token = tokenOption ?? NonEmpty(context.Environment("LABYRINTH_TOKEN")) ?? credentials.Find(server.ToString())?.Token
            ?? throw new CliException(ExitCodes.Usage, $"No access token for {server}: run 'labyrinth login', or pass --token / set LABYRINTH_TOKEN. Create one at {new Uri(server, "profile")} (Personal access tokens).");
        return new ServerClient(server, token, context.HttpTimeout);
    }

    /// <summary>An http(s) URL with one trailing slash (relative API paths resolve under it).</summary>
    internal static Uri ParseServer(string serverText)
    {
        if (!Uri.TryCreate(serverText.EndsWith('/') ? serverText : serverText + "/", UriKind.Absolute, out var server) ||
            server.Scheme is not ("http" or "https"))
        {
            throw new CliException(ExitCodes.Usage, $"--server \"{serverText}\" is not an http(s) URL.");
        }

        return server;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>Prints a problem-details answer: the sentence, then every listed problem and dependent.</summary>
    internal static async Task<int> PrintFailureAsync(CliContext context, ServerReply reply)
    {
        var status = (int)reply.Status;
        var body = reply.Body is { ValueKind: JsonValueKind.Object } b ? b : (JsonElement?)null;
        var sentence = body is { } p ? Text(p, "detail") ?? Text(p, "title") : null;
        sentence ??= reply.Status switch
        {
            HttpStatusCode.Unauthorized => "The server did not accept the token (check --token or LABYRINTH_TOKEN).",
            HttpStatusCode.Forbidden => "The token's user is not an admin.",
            HttpStatusCode.NotFound => "Not found (is this a Labyrinth server, and is the plugin installed?).",
            _ => reply.Status.ToString(),
        };
        var code = body is { } c ? Text(c, "code") : null;
        await context.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"error: {sentence} ({(code is null ? "" : code + ", ")}HTTP {status})"));
        if (body is { } problem)
        {
            if (problem.TryGetProperty("problems", out var problems) && problems.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in problems.EnumerateArray())
                {
                    var where = Text(item, "pointer") ?? Text(item, "entry");
                    var what = Text(item, "message") ?? item.ToString();
                    var itemCode = Text(item, "code");
                    await context.Error.WriteLineAsync($"  - {(where is null ? "" : where + ": ")}{what}{(itemCode is null ? "" : $" [{itemCode}]")}");
                }
            }

            if (problem.TryGetProperty("dependents", out var dependents) && dependents.ValueKind == JsonValueKind.Array && dependents.GetArrayLength() > 0)
            {
                await context.Error.WriteLineAsync("  required by: " + string.Join(", ", dependents.EnumerateArray().Select(d => d.ToString())) + " (use --cascade to disable them too)");
            }
        }

        return status is >= 400 and < 500 ? ExitCodes.Failed : ExitCodes.Server;
    }

    private static string DescribeList(ServerReply reply)
    {
        if (reply.Body is not { ValueKind: JsonValueKind.Array } list || list.GetArrayLength() == 0)
        {
            return "No plugins installed.";
        }

        return string.Join(Environment.NewLine, list.EnumerateArray().Select(Describe));
    }

    private static string DescribePlugin(ServerReply reply) =>
        reply.Body is { ValueKind: JsonValueKind.Object } plugin ? Describe(plugin) : "Done.";

    /// <summary>One line per plugin: id, active version, state flags, then the versions with their signature.</summary>
    private static string Describe(JsonElement plugin)
    {
        var flags = new List<string> { Bool(plugin, "enabled") ? "enabled" : "disabled" };
        if (Bool(plugin, "killed"))
        {
            flags.Add("KILLED");
        }

        if (Bool(plugin, "unsignedAllowed"))
        {
            flags.Add("unsigned allowed");
        }

        var line = $"{Text(plugin, "id")}  active {Text(plugin, "activeVersion") ?? "-"}  {string.Join(", ", flags)}";
        if (plugin.TryGetProperty("versions", out var versions) && versions.ValueKind == JsonValueKind.Array)
        {
            foreach (var v in versions.EnumerateArray())
            {
                var signature = v.TryGetProperty("signature", out var s) && s.ValueKind == JsonValueKind.Object
                    ? (Text(s, "status") == "trusted" ? $"signed by {Text(s, "keyName") ?? Text(s, "keyId")}" : Text(s, "status") ?? "")
                    : "";
                line += $"{Environment.NewLine}    {(Bool(v, "active") ? "*" : " ")} {Text(v, "version")}  {signature}{(Bool(v, "killed") ? "  KILLED" : "")}";
            }
        }

        return line;
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? (value.ValueKind == JsonValueKind.String ? value.GetString() : value.ToString())
            : null;

    private static bool Bool(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}
