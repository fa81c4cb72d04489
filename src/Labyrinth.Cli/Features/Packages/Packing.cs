using Labyrinth.Core.Manifests;
using Labyrinth.Core.Packages;
using Labyrinth.Core.Signing;

namespace Labyrinth.Cli.Features.Packages;

/// <summary>The outcome of <see cref="Packing.Pack"/>: the zip bytes and manifest, or every problem found.</summary>
internal sealed record PackResult(byte[] Bytes, PluginManifest? Manifest, int FileCount, string? KeyId, IReadOnlyList<string> Problems)
{
    public bool IsValid => Problems.Count == 0 && Manifest is not null;
}

/// <summary>
/// <c>plugin pack</c> and <c>sign</c>: the host's own writer (<see cref="PackageWriter"/>), then
/// the host's own validation (<see cref="PackageValidator"/>) on the bytes written, so pack
/// refuses exactly what a host would refuse — themes included — with the host's sentences.
/// </summary>
internal static class Packing
{
    public static PackResult Pack(string sourceDirectory, PublisherKey? key, byte[]? accessibilityMarker = null)
    {
        ArgumentNullException.ThrowIfNull(sourceDirectory);
        var root = Path.GetFullPath(sourceDirectory);
        if (!Directory.Exists(root))
        {
            throw new CliException(ExitCodes.Usage, $"The plugin folder \"{sourceDirectory}\" does not exist.");
        }

        var problems = new List<string>();
        var files = PackageWriter.CollectFolder(root, problems);
        // Only the gate writes the marker: a stale one in the folder is not carried over.
        files.Remove(AccessibilityGate.MarkerPath);
        if (accessibilityMarker is not null)
        {
            files[AccessibilityGate.MarkerPath] = accessibilityMarker;
        }

        return Build(files, key, problems);
    }

    /// <summary>Packs files already in memory (used by sign, which re-packs an extracted package).</summary>
    public static PackResult Build(IReadOnlyDictionary<string, byte[]> files, PublisherKey? key, List<string>? problems = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        problems ??= [];
        var bytes = PackageWriter.Write(files, key);
        var validation = Validate(bytes, extractDirectory => { });
        problems.AddRange(validation.Problems.Select(p => p.ToString()));
        return new PackResult(bytes, validation.Manifest, validation.IsValid ? validation.Files.Count : files.Count, key?.KeyId, problems);
    }

    /// <summary>
    /// Runs the host's validation on <paramref name="package"/> in a temporary folder; <paramref name="inspect"/>
    /// sees the extracted files before the folder is deleted.
    /// </summary>
    public static PackageValidation Validate(byte[] package, Action<string> inspect)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(inspect);
        using var stream = new MemoryStream(package, writable: false);
        return Validate(stream, inspect);
    }

    public static PackageValidation Validate(Stream package, Action<string> inspect)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(inspect);
        var extractDirectory = Directory.CreateTempSubdirectory("labyrinth-package-");
        try
        {
            var validation = PackageValidator.Validate(package, extractDirectory.FullName);
            inspect(extractDirectory.FullName);
            return validation;
        }
        finally
        {
            extractDirectory.Delete(recursive: true);
        }
    }

    /// <summary>Writes next to the target and renames, so a failed write never leaves half a package.</summary>
    public static void WriteFileAtomically(string path, byte[] bytes)
    {
        var full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is { } parent)
        {
            Directory.CreateDirectory(parent);
        }

        var temp = full + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
