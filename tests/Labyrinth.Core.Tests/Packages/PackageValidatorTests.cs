using System.Text;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Packages;
using Labyrinth.Core.Signing;

namespace Labyrinth.Core.Tests.Packages;

public sealed class PackageValidatorTests
{
    private const string Manifest = """
        {
          "id": "com.example.tool", "name": "Tool", "version": "1.0.0", "minHostAPIVersion": "1.0.0",
          "themes": [{ "themeID": "midnight", "path": "themes/midnight.json" }],
          "cards": [{ "typeID": "t", "name": "T", "runtime": { "kind": "web", "entry": "cards/t.js" }, "defaultSizePt": { "width": 320, "height": 240 } }]
        }
        """;

    private static Dictionary<string, byte[]> Files(string theme) => new(StringComparer.Ordinal)
    {
        ["manifest.json"] = Encoding.UTF8.GetBytes(Manifest),
        ["cards/t.js"] = "export default 1;"u8.ToArray(),
        ["themes/midnight.json"] = Encoding.UTF8.GetBytes(theme),
    };

    private static (PackageValidation Validation, string[] Left) Validate(byte[] package)
    {
        var dir = Directory.CreateTempSubdirectory("labyrinth-validate-test-").FullName;
        try
        {
            var validation = PackageValidator.Validate(new MemoryStream(package), dir);
            return (validation, Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Validate_PackageWithValidTheme_IsValidAndExtracted()
    {
        var (validation, left) = Validate(PackageWriter.Write(Files("""{ "themeID": "midnight", "name": "Midnight", "tokens": {} }""")));

        Assert.True(validation.IsValid, string.Join("\n", validation.Problems));
        Assert.Equal("com.example.tool", validation.Manifest!.Id);
        Assert.NotEmpty(left);
    }

    [Fact]
    public void Validate_ThemeWithCssUrl_IsRefusedWithEntryAndPointerAndNothingLeft()
    {
        var (validation, left) = Validate(PackageWriter.Write(Files("""{ "themeID": "midnight", "name": "Midnight", "tokens": { "canvas.clearColor": "url(https://evil.example/x.png)" } }""")));

        Assert.False(validation.IsValid);
        var problem = Assert.Single(validation.Problems);
        Assert.Equal(ErrorCodes.ThemeInvalid, problem.Code);
        Assert.Equal("themes/midnight.json", problem.Entry);
        Assert.Equal("/tokens/canvas.clearColor", problem.Pointer);
        Assert.StartsWith("themes/midnight.json /tokens/canvas.clearColor: this value contains \"url(\"", problem.ToString(), StringComparison.Ordinal);
        Assert.Empty(left);
    }

    [Fact]
    public void Validate_ThemeWithDuplicateKey_IsRefusedWithPointer()
    {
        var (validation, _) = Validate(PackageWriter.Write(Files("""{ "themeID": "midnight", "name": "Midnight", "name": "Other", "tokens": {} }""")));

        var problem = Assert.Single(validation.Problems);
        Assert.Equal(("themes/midnight.json", "/name"), (problem.Entry, problem.Pointer));
    }

    [Fact]
    public void Validate_ManifestProblem_CarriesManifestEntryAndPointer()
    {
        var files = Files("{}");
        files["manifest.json"] = Encoding.UTF8.GetBytes(Manifest.Replace("\"1.0.0\", \"minHost", "\"99999999999999999999.0.0\", \"minHost", StringComparison.Ordinal));

        var (validation, left) = Validate(PackageWriter.Write(files));

        var problem = Assert.Single(validation.Problems);
        Assert.Equal((ErrorCodes.ManifestInvalid, "manifest.json", "/version"), (problem.Code, problem.Entry, problem.Pointer));
        Assert.Empty(left);
    }

    [Fact]
    public void Write_SameFilesInAnyOrder_GiveTheSameBytes()
    {
        var files = Files("""{ "themeID": "midnight", "name": "Midnight", "tokens": {} }""");
        var reversed = files.Reverse().ToDictionary(StringComparer.Ordinal);
        using var key = PublisherKey.Generate("Tests");

        Assert.Equal(PackageWriter.Write(files), PackageWriter.Write(reversed));
        Assert.Equal(PackageWriter.Write(files, key), PackageWriter.Write(reversed, key));
    }

    [Fact]
    public void Write_EmptyAndNonAsciiFiles_AreReadBackByTheStrictReader()
    {
        var files = Files("""{ "themeID": "midnight", "name": "Midnight", "tokens": {} }""");
        files["assets/empty.txt"] = [];
        files["assets/café.txt"] = "crème"u8.ToArray();
        files["assets/big.txt"] = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 20_000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))));

        var (validation, _) = Validate(PackageWriter.Write(files));

        Assert.True(validation.IsValid, string.Join("\n", validation.Problems));
        Assert.Equal(files.Keys.Order(StringComparer.Ordinal), validation.Files.Select(f => f.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Write_WithKey_ReplacesAnExistingSignature()
    {
        var files = Files("""{ "themeID": "midnight", "name": "Midnight", "tokens": {} }""");
        files[PackageReader.SignaturePath] = "{}"u8.ToArray();
        using var key = PublisherKey.Generate("Tests");

        var (validation, _) = Validate(PackageWriter.Write(files, key));

        Assert.IsType<SignatureVerdict.Trusted>(PackageSignature.Verify(validation.Files, validation.SignatureBytes, new TrustStore([new TrustedKey("Tests", key.PublicKey)])));
    }
}
