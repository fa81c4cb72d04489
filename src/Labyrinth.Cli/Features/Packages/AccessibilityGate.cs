using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Labyrinth.Cli.Features.Packages;

/// <summary>What the gate decided for one pack: the folder to pack and the marker to add, if any.</summary>
internal sealed record GateResult(string BuiltFolder, byte[]? Marker, IReadOnlyList<string> Findings, bool Checked);

/// <summary>
/// The accessibility gate of <c>plugin pack</c>. Given a plugin's source folder (or its
/// <c>dist/</c> beside one), it runs the plugin's own <c>labyrinth-build --check-a11y</c> — Svelte
/// compiler a11y warnings and axe-core on each card rendered in happy-dom — and refuses the pack
/// on any finding. <c>--allow-a11y-warnings</c> packs anyway but writes
/// <see cref="MarkerPath"/> into the package: a file the host reads (whatever the manifest says)
/// and shows as a mark on the admin page and in the spawn menu. Signed, it cannot be removed
/// without breaking the signature.
/// </summary>
internal static class AccessibilityGate
{
    public const string MarkerPath = "ACCESSIBILITY.json";

    public static GateResult Run(CliContext context, string folder, bool allowWarnings)
    {
        var root = Path.GetFullPath(folder);
        var (source, built) = Locate(root);
        if (source is null)
        {
            return new(root, null, [], Checked: false);
        }

        var build = FindBuildTool(source)
            ?? throw new CliException(ExitCodes.Failed, $"{source} has sources but no node_modules/@labyrinth/sdk: run 'npm install' there first (the accessibility gate runs the plugin's own labyrinth-build).");
        var json = RunNode(build, source, ["--check-a11y", "--json", "--out", Path.GetRelativePath(source, built)]);
        JsonNode? result;
        try
        {
            result = JsonNode.Parse(json.Trim().Split('\n')[^1]);
        }
        catch (JsonException)
        {
            throw new CliException(ExitCodes.Failed, $"labyrinth-build --check-a11y did not report a result:\n{json}");
        }

        if (result?["ok"]?.GetValue<bool>() != true)
        {
            throw new CliException(ExitCodes.Failed, "The plugin does not build:\n" + (result?["error"]?.GetValue<string>() ?? json));
        }

        var findings = (result["a11y"] as JsonArray ?? []).Select(f => f!).ToList();
        var lines = findings.Select(f =>
            $"{(f["card"]?.GetValue<string>() is { } card ? $"card \"{card}\": " : "")}{f["rule"]} ({f["impact"]}): {f["help"]}" +
            string.Concat((f["nodes"] as JsonArray ?? []).Select(n => $"{Environment.NewLine}      at {n}"))).ToList();
        if (findings.Count == 0)
        {
            return new(built, null, [], Checked: true);
        }

        if (!allowWarnings)
        {
            throw new CliException(ExitCodes.Failed,
                $"the accessibility gate found {findings.Count} problem{(findings.Count == 1 ? "" : "s")}:{Environment.NewLine}  " +
                string.Join(Environment.NewLine + "  ", lines) + Environment.NewLine +
                "Fix them (docs/plugin-authoring.md, \"Accessibility checklist\"), or pack with --allow-a11y-warnings: the package is then marked, and admins see the mark.");
        }

        var marker = new JsonObject
        {
            ["gate"] = "waived",
            ["tool"] = "labyrinth-build --check-a11y (Svelte a11y warnings, axe-core critical/serious)",
            ["findings"] = new JsonArray([.. findings.Select(f => f.DeepClone())]),
        };
        return new(built, Encoding.UTF8.GetBytes(marker.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n"), lines, Checked: true);
    }

    /// <summary>
    /// The source folder (manifest naming a <c>runtime.source</c> or HTML entry, and a package.json)
    /// and the folder to pack: the folder itself when it is built output beside its source, else its
    /// <c>dist/</c>. A bare built folder has no source: nothing to check.
    /// </summary>
    private static (string? Source, string Built) Locate(string root)
    {
        static bool IsSource(string dir) => File.Exists(Path.Combine(dir, "package.json")) && File.Exists(Path.Combine(dir, "manifest.json"));
        if (IsSource(root))
        {
            return (root, Path.Combine(root, "dist"));
        }

        var parent = Path.GetDirectoryName(root);
        return parent is not null && IsSource(parent) ? (parent, root) : (null, root);
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

    internal static string RunNode(string script, string workingDirectory, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return stdout.Length > 0 ? stdout : stderr.Result;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new CliException(ExitCodes.Failed, "Node.js is needed to build and check the plugin, and 'node' is not on the PATH.");
        }
    }
}
