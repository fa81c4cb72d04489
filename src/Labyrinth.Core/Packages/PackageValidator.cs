using Labyrinth.Core.Errors;
using Labyrinth.Core.Manifests;
using Labyrinth.Core.Themes;

namespace Labyrinth.Core.Packages;

/// <summary>
/// What <see cref="PackageValidator.Validate"/> found. The signature is not judged here — who is
/// trusted differs between a host and a publisher's machine — but its bytes are returned for the
/// caller to verify. When the zip itself is refused everything but <see cref="Problems"/> is empty;
/// when the manifest or a theme is refused, <see cref="Files"/> still lists what the package holds
/// (its digests, so a refusal can report the signature too) although the directory has been
/// emptied, and <see cref="Manifest"/> is set if the manifest itself was valid.
/// </summary>
public sealed record PackageValidation(
    IReadOnlyList<PackageFile> Files,
    byte[] ManifestBytes,
    byte[]? SignatureBytes,
    PluginManifest? Manifest,
    IReadOnlyList<PackageProblem> Problems)
{
    public bool IsValid => Manifest is not null && Problems.Count == 0;

    /// <summary>The files a host serves: everything but SIGNATURE.</summary>
    public IEnumerable<PackageFile> Servable => Files.Where(f => f.Path != PackageReader.SignaturePath);
}

/// <summary>
/// The one package validation every tool runs — the host on upload and for the example plugins,
/// <c>labyrinth plugin pack</c>, <c>sign</c> and <c>verify</c> — so a package one accepts the
/// others accept: the hostile-zip rules (<see cref="PackageReader"/>), the manifest
/// (<see cref="ManifestValidator"/>) and every theme file (<see cref="ThemePackageRules"/>).
/// </summary>
public static class PackageValidator
{
    /// <summary>
    /// Reads <paramref name="package"/> into <paramref name="extractDirectory"/> (existing and
    /// empty) and validates it. On any problem the directory is left empty; the caller owns it.
    /// </summary>
    public static PackageValidation Validate(Stream package, string extractDirectory, PackageLimits? limits = null)
    {
        var read = PackageReader.Read(package, extractDirectory, limits);
        if (!read.IsValid)
        {
            return new([], [], null, null, read.Problems);
        }

        var root = Path.GetFullPath(extractDirectory);
        var servable = read.Files.Where(f => f.Path != PackageReader.SignaturePath).ToList();
        var problems = new List<PackageProblem>();
        var manifest = ManifestValidator.Validate(read.ManifestBytes, servable.Select(f => f.Path).ToHashSet(StringComparer.Ordinal));
        problems.AddRange(manifest.Problems.Select(p => new PackageProblem(ErrorCodes.ManifestInvalid, PackageReader.ManifestPath, p.Message) { Pointer = p.Pointer }));
        if (manifest.Manifest is { } valid)
        {
            // Theme files are data the UI applies for every user: refused outright on any problem.
            var themes = ThemePackageRules.Check(valid, servable.ToDictionary(f => f.Path, f => f.Bytes, StringComparer.Ordinal),
                path => File.ReadAllBytes(Path.Combine(root, path)));
            problems.AddRange(themes.Select(p => new PackageProblem(p.Code, p.Entry, p.Message) { Pointer = p.Pointer }));
        }

        if (problems.Count > 0)
        {
            PackageReader.EmptyDirectory(root);
        }

        return new(read.Files, read.ManifestBytes, read.SignatureBytes, manifest.Manifest, problems);
    }
}
