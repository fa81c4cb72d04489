using System.Text;
using Labyrinth.Core.Manifests;

namespace Labyrinth.Core.Tests;

public sealed class ManifestValidatorNewlineTests
{
    // .NET's "$" also matches before a final "\n"; the rules must not let such a value through.
    [Theory]
    [InlineData("/id", "com.example.x\\n", "hello", "crossCard:pubsub")]
    [InlineData("/cards/0/typeID", "com.example.x", "hello\\n", "crossCard:pubsub")]
    [InlineData("/cards/0/capabilities/0", "com.example.x", "hello", "crossCard:pubsub\\n")]
    public void Validate_ValueWithTrailingNewline_IsRefused(string pointer, string id, string typeId, string capability)
    {
        var json = $$"""
        {"id":"{{id}}","name":"X","version":"1.0.0","minHostAPIVersion":"1.0.0",
         "cards":[{"typeID":"{{typeId}}","name":"X","runtime":{"kind":"web","entry":"cards/x.js"},
                   "defaultSizePt":{"width":100,"height":100},"capabilities":["{{capability}}"]}]}
        """;

        var result = ManifestValidator.Validate(Encoding.UTF8.GetBytes(json), new HashSet<string> { "cards/x.js", "manifest.json" });

        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Pointer == pointer);
    }
}
