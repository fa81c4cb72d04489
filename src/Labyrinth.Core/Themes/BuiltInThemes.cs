namespace Labyrinth.Core.Themes;

/// <summary>
/// The built-in <c>light</c> (today's app.css values) and <c>dark</c> themes, embedded JSON
/// validated by the same <see cref="ThemeValidator"/> as every plugin theme. Each sets every
/// token, so they are the bases partial themes fall back to.
/// </summary>
public static class BuiltInThemes
{
    private static readonly Lazy<ResolvedTheme> LightTheme = new(() => Load("light.json"));
    private static readonly Lazy<ResolvedTheme> DarkTheme = new(() => Load("dark.json"));

    public static ResolvedTheme Light => LightTheme.Value;

    public static ResolvedTheme Dark => DarkTheme.Value;

    public static IReadOnlyList<ResolvedTheme> All => [Light, Dark];

    /// <summary>The embedded bytes of a built-in theme file ("light.json" or "dark.json").</summary>
    public static byte[] Source(string file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var name = "Labyrinth.Core.Themes." + file;
        using var stream = typeof(BuiltInThemes).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource {name} is missing.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Validates a built-in theme on its own (no base to fall back to).</summary>
    internal static ThemeValidationResult ValidateBuiltIn(string file) => ThemeValidator.Validate(Source(file), null, null);

    private static ResolvedTheme Load(string file)
    {
        var result = ValidateBuiltIn(file);
        return result.Theme ?? throw new InvalidOperationException(
            $"The built-in theme {file} is invalid: " + string.Join("; ", result.Problems.Select(p => p.Pointer + " " + p.Message)));
    }
}
