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
}
