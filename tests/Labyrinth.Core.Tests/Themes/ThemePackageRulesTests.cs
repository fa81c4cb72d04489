using System.Text;
using Labyrinth.Core.Manifests;
using Labyrinth.Core.Themes;

namespace Labyrinth.Core.Tests.Themes;

public sealed class ThemePackageRulesTests
{
    private const string Manifest = """
        { "id": "com.example.themes", "name": "Themes", "version": "1.0.0", "minHostAPIVersion": "1.0.0",
          "themes": [{ "themeID": "midnight", "path": "themes/midnight.json", "preview": "themes/midnight.png" }] }
        """;

    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0];

    private static Dictionary<string, byte[]> Files() => new(StringComparer.Ordinal)
    {
        ["manifest.json"] = Encoding.UTF8.GetBytes(Manifest),
        ["themes/midnight.json"] = Encoding.UTF8.GetBytes(ThemeTestData.Midnight),
        ["themes/midnight.png"] = Png,
    };

    private static List<ThemePackageProblem> Check(Dictionary<string, byte[]> files)
    {
        var manifest = ManifestValidator.Validate(files["manifest.json"], files.Keys.ToHashSet(StringComparer.Ordinal));
        Assert.True(manifest.IsValid, string.Join("; ", manifest.Problems.Select(p => p.Pointer + " " + p.Message)));
        return ThemePackageRules.Check(manifest.Manifest!, files.ToDictionary(f => f.Key, f => (long)f.Value.Length, StringComparer.Ordinal), path => files[path]);
    }

    [Fact]
    public void ValidPackage_NoProblems()
    {
        Assert.Empty(Check(Files()));
    }

    [Fact]
    public void ManifestThemes_ParsedIntoEntries()
    {
        var manifest = ManifestValidator.Validate(Encoding.UTF8.GetBytes(Manifest)).Manifest!;

        var entry = Assert.Single(manifest.Themes);
        Assert.Equal(new ThemeEntry("midnight", null, "themes/midnight.json", "themes/midnight.png"), entry);
    }

    [Fact]
    public void InvalidThemeFile_ProblemsCarryEntryAndPointer()
    {
        var files = Files();
        files["themes/midnight.json"] = Encoding.UTF8.GetBytes("""{ "themeID": "midnight", "name": "M", "tokens": { "ui.foo": 1, "ui.accent": "url(x)" } }""");

        var problems = Check(files);

        Assert.All(problems, p => Assert.Equal(("theme.invalid", "themes/midnight.json"), (p.Code, p.Entry)));
        Assert.Equal(["/tokens/ui.accent", "/tokens/ui.foo"], problems.Select(p => p.Pointer).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void UndeclaredJsonUnderThemes_ValidatedToo()
    {
        var files = Files();
        files["themes/other.json"] = Encoding.UTF8.GetBytes("""{ "themeID": "other", "name": "<b>x</b>", "tokens": {} }""");

        var problem = Assert.Single(Check(files));

        Assert.Equal(("themes/other.json", "/name"), (problem.Entry, problem.Pointer));
    }

    [Fact]
    public void ThemeIdMismatch_Refused()
    {
        var files = Files();
        files["themes/midnight.json"] = Encoding.UTF8.GetBytes(ThemeTestData.Midnight.Replace("\"midnight\"", "\"noon\"", StringComparison.Ordinal));

        var problem = Assert.Single(Check(files));

        Assert.Equal("/themeID", problem.Pointer);
    }

    [Theory]
    [InlineData("themes/evil.css")]
    [InlineData("themes/evil.js")]
    [InlineData("themes/undeclared.png")]
    public void OtherFileUnderThemes_Refused(string path)
    {
        var files = Files();
        files[path] = Png;

        var problem = Assert.Single(Check(files));

        Assert.Equal(("theme.file_not_allowed", path), (problem.Code, problem.Entry));
    }

    [Fact]
    public void PreviewNotPng_Refused()
    {
        var files = Files();
        files["themes/midnight.png"] = Encoding.UTF8.GetBytes("<svg onload=alert(1)>");

        var problem = Assert.Single(Check(files));

        Assert.Equal(("theme.invalid_preview", "themes/midnight.png"), (problem.Code, problem.Entry));
    }

    [Fact]
    public void OversizedThemeFile_RefusedWithoutReadingIt()
    {
        var files = Files();
        files["themes/midnight.json"] = new byte[ThemeValidator.MaxThemeBytes + 1];
        var manifest = ManifestValidator.Validate(files["manifest.json"]).Manifest!;

        var problems = ThemePackageRules.Check(manifest, files.ToDictionary(f => f.Key, f => (long)f.Value.Length, StringComparer.Ordinal),
            path => path == "themes/midnight.json" ? throw new InvalidOperationException("read an oversized theme") : files[path]);

        Assert.Equal(("theme.invalid", "themes/midnight.json"), (Assert.Single(problems).Code, problems[0].Entry));
    }

    [Fact]
    public void WebpMagic_Recognised()
    {
        Assert.True(ThemePackageRules.IsWebp("RIFF\0\0\0\0WEBPVP8 "u8));
        Assert.False(ThemePackageRules.IsWebp("RIFF\0\0\0\0WAVE"u8));
    }

    [Fact]
    public void OversizedPreview_Refused()
    {
        var files = Files();
        files["themes/midnight.png"] = [.. Png, .. new byte[ThemePackageRules.MaxPreviewBytes]];

        Assert.Equal("theme.invalid_preview", Assert.Single(Check(files)).Code);
    }
}

public sealed class ManifestThemesTests
{
    private static IReadOnlyList<Errors.PointerProblem> Problems(string themes, params string[] files) =>
        ManifestValidator.Validate(
            Encoding.UTF8.GetBytes($$"""{ "id": "com.example.t", "name": "T", "version": "1.0.0", "minHostAPIVersion": "1.0.0", "themes": {{themes}} }"""),
            files.ToHashSet(StringComparer.Ordinal)).Problems;

    [Theory]
    [InlineData("""[{ "themeID": "a", "path": "a.json" }]""", "/themes/0/path")]
    [InlineData("""[{ "themeID": "a", "path": "themes/a.css" }]""", "/themes/0/path")]
    [InlineData("""[{ "themeID": "a", "path": "themes/../a.json" }]""", "/themes/0/path")]
    [InlineData("""[{ "themeID": "a", "path": "themes/missing.json" }]""", "/themes/0/path")]
    [InlineData("""[{ "themeID": "a", "path": "themes/a.json", "preview": "themes/a.svg" }]""", "/themes/0/preview")]
    [InlineData("""[{ "themeID": "a", "path": "themes/a.json", "preview": "themes/missing.png" }]""", "/themes/0/preview")]
    [InlineData("""[{ "themeID": "A", "path": "themes/a.json" }]""", "/themes/0/themeID")]
    [InlineData("""[{ "path": "themes/a.json" }]""", "/themes/0/themeID")]
    [InlineData("""[{ "themeID": "a", "path": "themes/a.json", "css": "x" }]""", "/themes/0/css")]
    [InlineData("""[{ "themeID": "a", "path": "themes/a.json" }, { "themeID": "a", "path": "themes/a.json" }]""", "/themes/1/themeID")]
    [InlineData("""{ "themeID": "a" }""", "/themes")]
    [InlineData("""["themes/a.json"]""", "/themes/0")]
    [InlineData("""[{ "themeID": "a", "name": "<img src=x onerror=alert(1)>", "path": "themes/a.json" }]""", "/themes/0/name")]
    public void BadEntry_RefusedAtPointer(string themes, string pointer)
    {
        var problems = Problems(themes, "themes/a.json", "themes/a.png");

        Assert.Contains(problems, p => p.Pointer == pointer);
    }

    [Fact]
    public void ThemesOnly_Valid()
    {
        Assert.Empty(Problems("""[{ "themeID": "a", "name": "A", "path": "themes/a.json", "preview": "themes/a.png" }]""", "themes/a.json", "themes/a.png"));
    }
}
