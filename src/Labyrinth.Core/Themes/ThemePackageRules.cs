using System.Globalization;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Manifests;

namespace Labyrinth.Core.Themes;

/// <summary>One reason a package's themes were refused: a stable code, the package entry, and a pointer into it when there is one.</summary>
public sealed record ThemePackageProblem(string Code, string Entry, string? Pointer, string Message);

/// <summary>
/// Install-time rules for the themes in a package: every <c>.json</c> under <c>themes/</c> is a
/// valid theme (with the themeID its manifest entry names), previews really are PNG or WebP,
/// and nothing else lives under <c>themes/</c>. Any problem refuses the whole package.
/// </summary>
public static class ThemePackageRules
{
    public const int MaxPreviewBytes = 1024 * 1024;

    private static readonly byte[] PngMagic = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <param name="manifest">The validated manifest.</param>
    /// <param name="files">Every file path in the package.</param>
    /// <param name="read">Reads a package file's bytes.</param>
    public static List<ThemePackageProblem> Check(PluginManifest manifest, IEnumerable<string> files, Func<string, byte[]> read)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(read);
        var problems = new List<ThemePackageProblem>();
        var declared = manifest.Themes.ToDictionary(t => t.Path, StringComparer.Ordinal);
        var previews = manifest.Themes.Where(t => t.Preview is not null).Select(t => t.Preview!).ToHashSet(StringComparer.Ordinal);

        foreach (var path in files.Where(f => f.StartsWith(ManifestValidator.ThemesFolder, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            if (previews.Contains(path))
            {
                CheckPreview(path, read(path), problems);
            }
            else if (path.EndsWith(".json", StringComparison.Ordinal))
            {
                CheckTheme(path, read(path), declared.GetValueOrDefault(path), problems);
            }
            else
            {
                problems.Add(new(ErrorCodes.ThemeFileNotAllowed, path, null,
                    "Only theme files (.json) and the previews the manifest declares (.png, .webp) may live under themes/."));
            }
        }

        return problems;
    }

    private static void CheckTheme(string path, byte[] bytes, ThemeEntry? entry, List<ThemePackageProblem> problems)
    {
        var result = ThemeValidator.Validate(bytes);
        problems.AddRange(result.Problems.Select(p => new ThemePackageProblem(ErrorCodes.ThemeInvalid, path, p.Pointer, p.Message)));
        if (entry is not null && result.Theme is not null && result.Theme.ThemeId != entry.ThemeId)
        {
            problems.Add(new(ErrorCodes.ThemeInvalid, path, "/themeID",
                $"the file's themeID \"{result.Theme.ThemeId}\" differs from \"{entry.ThemeId}\" in the manifest's themes[] entry."));
        }
    }

    private static void CheckPreview(string path, byte[] bytes, List<ThemePackageProblem> problems)
    {
        if (bytes.Length > MaxPreviewBytes)
        {
            problems.Add(new(ErrorCodes.ThemePreviewInvalid, path, null,
                string.Create(CultureInfo.InvariantCulture, $"The preview is {bytes.Length} bytes; a preview is a small image of at most {MaxPreviewBytes} bytes.")));
            return;
        }

        var isPng = path.EndsWith(".png", StringComparison.Ordinal);
        var ok = isPng ? IsPng(bytes) : IsWebp(bytes);
        if (!ok)
        {
            problems.Add(new(ErrorCodes.ThemePreviewInvalid, path, null,
                $"The preview's bytes are not a {(isPng ? "PNG" : "WebP")} image (the file name says it is one)."));
        }
    }

    public static bool IsPng(ReadOnlySpan<byte> bytes) => bytes.StartsWith(PngMagic);

    public static bool IsWebp(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 12 && bytes[..4].SequenceEqual("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8);
}
