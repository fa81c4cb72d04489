using Labyrinth.Host.Features.Assets;

namespace Labyrinth.Host.Tests.Assets;

/// <summary>
/// An uploaded file's name is shown to its owner in the registry and sent back in downloads: what
/// would make it display as something else is taken out, and what is left is text every database
/// stores (PostgreSQL's driver refuses half of a surrogate pair).
/// </summary>
public sealed class AssetNameTextTests
{
    [Fact]
    public void Sanitize_NameWithTagCharacters_DropsThemWhole()
    {
        var hidden = string.Concat(".exe".Select(c => char.ConvertFromUtf32(0xE0000 + c)));

        var name = AssetNames.Sanitize("report" + hidden + ".pdf");

        Assert.Equal("report.pdf", name);
    }

    [Fact]
    public void Sanitize_NameWithZeroWidthSpace_DropsIt()
    {
        Assert.Equal("invoice.pdf", AssetNames.Sanitize("in\u200Bvoice.pdf"));
    }
}
