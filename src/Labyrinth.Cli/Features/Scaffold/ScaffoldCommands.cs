using System.CommandLine;
using System.Text.Json;
using Labyrinth.Cli.Features.Server;
using Labyrinth.Core.Manifests;

namespace Labyrinth.Cli.Features.Scaffold;

/// <summary>
/// <c>plugin new</c>: a folder that builds, tests and packs at once — a dice card that keeps its
/// roll history (Svelte 5 or plain HTML), its manifest with a <c>propsSchema</c>, tests against the
/// SDK's mock host and card contract, a README, and a package.json whose SDK comes from the
/// server (<c>/sdk/labyrinth-sdk-&lt;version&gt;.tgz</c>: the SDK is on no public registry).
/// </summary>
internal static class ScaffoldCommands
{
    /// <summary>The test runner the scaffold pins: the newest that runs on Node 20.19 without polyfills.</summary>
    public const string VitestVersion = "4.1.12";

    private const string ResourcePrefix = "Templates/";

    public static void AddTo(Command plugin, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        var id = new Argument<string>("id") { Description = "The plugin id, reverse-DNS and lower case, like com.example.dice." };
        var template = new Option<string>("--template") { HelpName = "svelte|html", Description = "The card's language: a Svelte 5 component (default) or a plain HTML page with a script." };
        template.AcceptOnlyFromAmong("svelte", "html");
        var directory = new Option<DirectoryInfo>("--dir") { HelpName = "folder", Description = "Where to create it (default: a folder named after the id's last part). Must not exist or be empty." };
        var name = new Option<string>("--name") { HelpName = "text", Description = "The plugin's and card's display name (default: from the id)." };
        var server = new Option<string>("--server") { HelpName = "url", Description = $"The server whose SDK to use. Default: $LABYRINTH_SERVER, the server of 'labyrinth login', else {ServerCommands.DefaultServer}." };
        var sdk = new Option<string>("--sdk") { HelpName = "spec", Description = "Any npm spec for @labyrinth/sdk instead of asking the server (a .tgz path or URL)." };
        var command = new Command("new", "Create a plugin folder: a dice card with its manifest, tests and README; then npm install, npm test, labyrinth plugin dev.")
        {
            id, template, directory, name, server, sdk,
        };
        command.SetGuardedAction(context, async (parse, ct) =>
        {
            var pluginId = parse.GetRequiredValue(id).Trim();
            if (!ManifestValidator.IsPluginId(pluginId))
            {
                throw new CliException(ExitCodes.Usage, $"\"{pluginId}\" is not a plugin id: use reverse-DNS in lower case, like com.example.dice.");
            }

            var lastPart = pluginId[(pluginId.LastIndexOf('.') + 1)..];
            var target = parse.GetValue(directory)?.FullName ?? Path.Combine(context.WorkingDirectory, lastPart);
            if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
            {
                throw new CliException(ExitCodes.Failed, $"{target} already exists and is not empty; choose another --dir.");
            }

            var sdkSpec = parse.GetValue(sdk) ?? await SdkFromServerAsync(context, parse.GetValue(server), ct);
            var displayName = parse.GetValue(name) ?? char.ToUpperInvariant(lastPart[0]) + lastPart[1..].Replace('-', ' ');
            var values = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["__ID__"] = pluginId,
                ["__NAME__"] = displayName,
                ["__PACKAGE__"] = pluginId.Replace('.', '-'),
                ["__AUTHOR__"] = context.Environment("USER") ?? context.Environment("USERNAME") ?? "me",
                ["__SDK__"] = sdkSpec,
                ["__VITEST__"] = VitestVersion,
            };
            var files = Write(parse.GetValue(template) ?? "svelte", target, values);
            var relative = Path.GetRelativePath(context.WorkingDirectory, target);
            await context.Out.WriteLineAsync($"Created {pluginId} in {target} ({files} files, SDK {sdkSpec}). Next:");
            await context.Out.WriteLineAsync($"  cd {(relative.StartsWith("..", StringComparison.Ordinal) ? target : relative)}");
            await context.Out.WriteLineAsync("  npm install && npm test");
            await context.Out.WriteLineAsync("  labyrinth plugin dev        # live on a board; every save reloads the card with its state");
            return ExitCodes.Ok;
        });
        plugin.Add(command);
    }

    /// <summary>Writes the template's files with the placeholders filled; returns how many.</summary>
    internal static int Write(string template, string target, IReadOnlyDictionary<string, string> values)
    {
        var assembly = typeof(ScaffoldCommands).Assembly;
        var prefix = ResourcePrefix + template + "/";
        var names = assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        if (names.Count == 0)
        {
            throw new CliException(ExitCodes.Usage, $"There is no template \"{template}\".");
        }

        foreach (var resource in names)
        {
            var relative = resource[prefix.Length..];
            // npm and git treat a dot file in a package specially, so the template stores it without the dot.
            relative = relative == "gitignore" ? ".gitignore" : relative;
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            var text = reader.ReadToEnd();
            foreach (var (key, value) in values)
            {
                // Values go into JSON strings and Markdown alike; they are ids, names and npm specs.
                text = text.Replace(key, relative.EndsWith(".json", StringComparison.Ordinal) ? JsonEncodedText.Encode(value).ToString() : value, StringComparison.Ordinal);
            }

            var path = Path.Combine(target, relative.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }

        return names.Count;
    }

    /// <summary>The SDK tarball the server publishes (<c>/sdk/index.json</c> names it).</summary>
    private static async Task<string> SdkFromServerAsync(CliContext context, string? serverOption, CancellationToken ct)
    {
        var server = ServerCommands.ParseServer(serverOption ?? NonEmpty(context.Environment("LABYRINTH_SERVER"))
            ?? new Login.Credentials(context).DefaultServer ?? ServerCommands.DefaultServer);
        using var http = new HttpClient { BaseAddress = server, Timeout = context.HttpTimeout };
        try
        {
            using var response = await http.GetAsync("sdk/index.json", ct);
            if (response.IsSuccessStatusCode)
            {
                using var index = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
                if (index.RootElement.TryGetProperty("file", out var file) && file.GetString() is { } name && name.EndsWith(".tgz", StringComparison.Ordinal) && !name.Contains('/', StringComparison.Ordinal))
                {
                    return new Uri(server, "sdk/" + Uri.EscapeDataString(name)).ToString();
                }
            }

            throw new CliException(ExitCodes.Failed, $"{server}sdk/index.json does not name an SDK (HTTP {(int)response.StatusCode}): is this a Labyrinth server with its web build? Pass --sdk <path or URL of labyrinth-sdk-x.y.z.tgz> instead.");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            throw new CliException(ExitCodes.Server, $"Could not get the SDK from {server} ({ex.Message.TrimEnd('.')}). Start the server, pass --server, or pass --sdk <path or URL of labyrinth-sdk-x.y.z.tgz>.");
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
