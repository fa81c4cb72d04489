using System.CommandLine;
using Labyrinth.Cli.Features.Keys;
using Labyrinth.Core.Packages;

namespace Labyrinth.Cli.Features.Packages;

/// <summary><c>plugin pack | sign | verify</c>: local commands that never talk to a server.</summary>
internal static class PackageCommands
{
    public static void AddTo(Command plugin, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        plugin.Add(Pack(context));
        plugin.Add(Sign(context));
        plugin.Add(Verify(context));
    }

    private static Command Pack(CliContext context)
    {
        var directory = new Argument<DirectoryInfo>("dir") { Description = "The plugin's source folder (built and checked first) or a built folder containing manifest.json (build-manifest.json, *.br and *.gz are skipped)." };
        var allowA11y = new Option<bool>("--allow-a11y-warnings") { Description = "Pack even when the accessibility gate finds problems; the package is then marked (ACCESSIBILITY.json) and hosts show the mark." };
        var output = new Option<FileInfo>("--out") { HelpName = "file",  Description = "The package to write. Default: <id>-<version>.labyrinthplugin in the current folder." };
        var key = new Option<FileInfo>("--key") { HelpName = "keyfile",  Description = "Sign with this publisher key file (from 'labyrinth keys new')." };
        var json = new Option<bool>("--json") { Description = "Print the result (or the problems) as JSON." };
        var command = new Command("pack", "Build a plugin's source folder and run the accessibility gate, then validate the built folder with the host's own package validation (zip rules, manifest, themes) and write a deterministic .labyrinthplugin package, optionally signed.")
        {
            directory, output, key, allowA11y, json,
        };
        command.SetGuardedAction(context, (parse, _) =>
        {
            using var publisher = parse.GetValue(key) is { } keyFile ? KeyFiles.Read(keyFile.FullName) : null;
            var folder = parse.GetRequiredValue(directory).FullName;
            if (!Directory.Exists(folder))
            {
                throw new CliException(ExitCodes.Usage, $"The plugin folder \"{folder}\" does not exist.");
            }

            var gate = AccessibilityGate.Run(context, folder, parse.GetValue(allowA11y));
            if (!parse.GetValue(json))
            {
                context.Error.WriteLine(!gate.Checked
                    ? "note: accessibility was not checked (no plugin sources beside this folder); pack the source folder to run the gate."
                    : gate.Marker is null ? "accessibility: no problems found" : $"warning: packed with {gate.Findings.Count} accessibility problem(s); the package is marked ({AccessibilityGate.MarkerPath}).");
            }

            var result = Packing.Pack(gate.BuiltFolder, publisher, gate.Marker);
            return Task.FromResult(Finish(context, result, parse.GetValue(output)?.FullName, parse.GetValue(json)));
        });
        return command;
    }

    private static Command Sign(CliContext context)
    {
        var package = new Argument<FileInfo>("package") { Description = "The .labyrinthplugin to sign (any existing SIGNATURE is replaced)." };
        var key = new Option<FileInfo>("--key") { HelpName = "keyfile",  Description = "The publisher key file to sign with.", Required = true };
        var output = new Option<FileInfo>("--out") { HelpName = "file",  Description = "Write the signed package here instead of replacing the input." };
        var json = new Option<bool>("--json") { Description = "Print the result (or the problems) as JSON." };
        var command = new Command("sign", "(Re)sign an existing package: it is read with every check a host applies, then rewritten with a SIGNATURE.")
        {
            package, key, output, json,
        };
        command.SetGuardedAction(context, (parse, _) =>
        {
            var input = CliApp.RequireFile(parse.GetRequiredValue(package).FullName, "The package");
            using var publisher = KeyFiles.Read(parse.GetRequiredValue(key).FullName);
            var files = ReadFiles(input, out var problems);
            var result = files is null
                ? new PackResult([], null, 0, null, problems)
                : Packing.Build(files, publisher);
            return Task.FromResult(Finish(context, result, parse.GetValue(output)?.FullName ?? input, parse.GetValue(json)));
        });
        return command;
    }

    private static Command Verify(CliContext context)
    {
        var package = new Argument<FileInfo>("package") { Description = "The .labyrinthplugin to check." };
        var trust = new Option<string[]>("--trust")
        {
            HelpName = "keyfile|base64",
            Description = "A trusted publisher: a key file or a base64 Ed25519 public key. Repeatable. When given, the package must be signed by one of them.",
            AllowMultipleArgumentsPerToken = false,
        };
        var json = new Option<bool>("--json") { Description = "Print { status, verdict, id, version, files, digest, problems } as JSON." };
        var command = new Command("verify", """
            Check a package with the host's own validation: hostile-zip rules, manifest, themes, signature.
            Verdicts: trusted (signed by a --trust key), signed by unknown key <id>, unsigned, tampered, invalid.
            Exits 0 only for a valid package whose signature verifies (and is trusted, when --trust is given).
            """)
        {
            package, trust, json,
        };
        command.SetGuardedAction(context, (parse, _) =>
        {
            var trustValues = parse.GetValue(trust) ?? [];
            var store = PackageInspector.ParseTrust(trustValues);
            var result = PackageInspector.Inspect(parse.GetRequiredValue(package).FullName, store);
            var passes = result.Passes(trustRequired: trustValues.Length > 0);
            var verdict = result.Status == "untrusted-key" && trustValues.Length > 0 ? result.Verdict + " — not trusted" : result.Verdict;
            if (parse.GetValue(json))
            {
                context.WriteJson(new
                {
                    ok = passes,
                    status = result.Status,
                    verdict,
                    id = result.Manifest?.Id,
                    version = result.Manifest?.Version,
                    files = result.Files.Count,
                    bytes = result.Files.Sum(f => f.Bytes),
                    digest = result.Digest,
                    problems = result.Problems,
                });
            }
            else
            {
                if (result.Manifest is { } manifest)
                {
                    context.Out.WriteLine($"{manifest.Id} {manifest.Version} ({result.Files.Count} files, {result.Files.Sum(f => f.Bytes)} bytes, digest {result.Digest})");
                }

                context.Out.WriteLine("verdict: " + verdict);
                foreach (var problem in result.Problems)
                {
                    context.Error.WriteLine("  - " + problem);
                }
            }

            return Task.FromResult(passes ? ExitCodes.Ok : ExitCodes.Failed);
        });
        return command;
    }

    /// <summary>Validates a package as a host would and returns its files (without SIGNATURE) in memory.</summary>
    private static Dictionary<string, byte[]>? ReadFiles(string packagePath, out List<string> problems)
    {
        Dictionary<string, byte[]>? files = null;
        using var stream = File.OpenRead(packagePath);
        var validation = Packing.Validate(stream, directory =>
            files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
                .Select(f => (Path: Path.GetRelativePath(directory, f).Replace(Path.DirectorySeparatorChar, '/'), Full: f))
                .Where(f => f.Path != PackageReader.SignaturePath)
                .ToDictionary(f => f.Path, f => File.ReadAllBytes(f.Full), StringComparer.Ordinal));
        problems = [.. validation.Problems.Select(p => p.ToString())];
        return validation.IsValid ? files : null;
    }

    private static int Finish(CliContext context, PackResult result, string? outputPath, bool json)
    {
        if (!result.IsValid)
        {
            if (json)
            {
                context.WriteJson(new { ok = false, problems = result.Problems });
            }
            else
            {
                context.Error.WriteLine($"error: the plugin cannot be packed ({result.Problems.Count} problem{(result.Problems.Count == 1 ? "" : "s")}):");
                foreach (var problem in result.Problems)
                {
                    context.Error.WriteLine("  - " + problem);
                }
            }

            return ExitCodes.Failed;
        }

        var manifest = result.Manifest!;
        var path = outputPath ?? Path.Combine(context.WorkingDirectory, $"{manifest.Id}-{manifest.Version}{PackageWriter.Extension}");
        Packing.WriteFileAtomically(path, result.Bytes);
        if (json)
        {
            context.WriteJson(new { ok = true, path, id = manifest.Id, version = manifest.Version, files = result.FileCount, bytes = result.Bytes.Length, keyId = result.KeyId });
        }
        else
        {
            context.Out.WriteLine($"Wrote {path} ({manifest.Id} {manifest.Version}, {result.FileCount} files, {result.Bytes.Length} bytes, {(result.KeyId is null ? "unsigned" : "signed by key " + result.KeyId)})");
        }

        return ExitCodes.Ok;
    }
}
