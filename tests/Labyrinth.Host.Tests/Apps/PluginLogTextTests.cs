using Labyrinth.Host.Features.Apps;

namespace Labyrinth.Host.Tests.Apps;

/// <summary>
/// A plugin's log line is read by an admin on the plugin's page: it must not start a line of its
/// own (a forged "host" line) or display in another order than it was written.
/// </summary>
public sealed class PluginLogTextTests
{
    [Theory]
    [InlineData("ok\u2028[host] error: key leaked")]
    [InlineData("ok\u2029[host] error: key leaked")]
    [InlineData("ok\u202E[host] error: key leaked")]
    [InlineData("ok\u2066[host] error: key leaked")]
    [InlineData("ok\n[host] error: key leaked")]
    public void Clean_LineSeparatorOrBidiOverride_BecomesASpace(string message)
    {
        Assert.Equal("ok [host] error: key leaked", PluginLogs.Clean(message));
    }

    [Fact]
    public void Clean_TagCharactersHidingText_BecomeSpacesWithNoHalfOfAPairLeft()
    {
        var hidden = string.Concat("[host] ok".Select(c => char.ConvertFromUtf32(0xE0000 + c)));

        var cleaned = PluginLogs.Clean("fine" + hidden);

        Assert.Equal("fine" + new string(' ', "[host] ok".Length), cleaned);
    }

    [Fact]
    public void Clean_LineCutInsideASurrogatePair_LeavesNoHalfOfIt()
    {
        var cleaned = PluginLogs.Clean(new string('x', PluginLogs.MaxMessageChars - 1) + "\U0001F600" + new string('y', 10));

        Assert.DoesNotContain(cleaned, char.IsSurrogate);
    }
}
