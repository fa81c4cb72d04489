using System.Text.Json;
using Labyrinth.Core.Messaging;

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
}

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

    /// <summary>The card's declared pub/sub topics (<c>cards[].topics</c>); none when the manifest declares none.</summary>
    public CardTopics Topics { get; init; } = CardTopics.None;
}
