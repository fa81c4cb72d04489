using System.Text.Json;

namespace Labyrinth.Core.Manifests;

/// <summary>A validated plugin manifest. Only <see cref="ManifestValidator"/> creates these.</summary>
public sealed record PluginManifest(
    string Id,
    string Name,
    string Version,
    string MinHostApiVersion,
    string Author,
    string Description,
    string License,
    IReadOnlyList<CardDefinition> Cards)
{
    /// <summary>Plugin id → npm-style version range (validated: reverse-DNS ids, ranges that parse).</summary>
    public IReadOnlyDictionary<string, string> Dependencies { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The themes the package ships (<c>themes[]</c>); each file is validated at install.</summary>
    public IReadOnlyList<ThemeEntry> Themes { get; init; } = [];
}

/// <summary>One <c>themes[]</c> entry: the theme file (<c>themes/*.json</c>) and an optional PNG/WebP preview.</summary>
public sealed record ThemeEntry(string ThemeId, string? Name, string Path, string? Preview);

public sealed record SizePt(double Width, double Height);

public sealed record CardDefinition(
    string TypeId,
    string Name,
    string Icon,
    string Entry,
    SizePt DefaultSize,
    SizePt? MinSize,
    IReadOnlyList<string> Capabilities,
    JsonElement? PropsSchema)
{
    public bool IsHtmlEntry => Entry.EndsWith(".html", StringComparison.OrdinalIgnoreCase);
}
