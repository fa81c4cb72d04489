namespace Labyrinth.Core.Themes;

/// <summary>
/// The theme JSON Schema (draft-07), <c>theme.v1.schema.json</c> embedded in this assembly and
/// shipped byte-identical as <c>sdk/schemas/theme.v1.json</c>. It documents the format for
/// authors and editors; <see cref="ThemeValidator"/> stays authoritative (contrast, CSS/URL checks).
/// </summary>
public static class ThemeSchema
{
    public const string ResourceName = "Labyrinth.Core.Themes.theme.v1.schema.json";

    private static readonly byte[] Bytes = Load();

    public static ReadOnlyMemory<byte> Utf8 => Bytes;

    private static byte[] Load()
    {
        using var stream = typeof(ThemeSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
