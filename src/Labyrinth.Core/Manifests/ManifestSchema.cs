namespace Labyrinth.Core.Manifests;

/// <summary>
/// The manifest JSON Schema (draft-07), <c>manifest.v1.schema.json</c> embedded in this assembly.
/// It documents what <see cref="ManifestValidator"/> accepts for authors and editors; the
/// validator stays authoritative. The same bytes ship in <c>sdk/schemas/manifest.v1.json</c>.
/// </summary>
public static class ManifestSchema
{
    public const string ResourceName = "Labyrinth.Core.Manifests.manifest.v1.schema.json";

    private static readonly byte[] Bytes = Load();

    /// <summary>The schema document as UTF-8 bytes, exactly as shipped.</summary>
    public static ReadOnlyMemory<byte> Utf8 => Bytes;

    private static byte[] Load()
    {
        using var stream = typeof(ManifestSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
