using Labyrinth.Core.Manifests;

namespace Labyrinth.Core.Packages;

/// <summary>
/// Caps for reading an untrusted <c>.labyrinthplugin</c>. The defaults are the ones DESIGN.md
/// promises; tests and benchmarks may lower or raise them.
/// </summary>
public sealed record PackageLimits
{
    public static PackageLimits Default { get; } = new();

    public long MaxCompressedBytes { get; init; } = 20L * 1024 * 1024;
    public long MaxExpandedBytes { get; init; } = 100L * 1024 * 1024;
    public int MaxEntries { get; init; } = 2_000;

    /// <summary>Largest allowed inflated:compressed ratio of one entry, counted on real bytes while inflating.</summary>
    public int MaxRatio { get; init; } = 100;

    public int MaxManifestBytes { get; init; } = ManifestValidator.MaxManifestBytes;

    /// <summary>A SIGNATURE is a few hundred bytes of JSON; anything much larger is not one.</summary>
    public int MaxSignatureBytes { get; init; } = 4 * 1024;
}
