using Labyrinth.E2E.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Labyrinth.E2E.Tests;

public sealed class PluginTests
{
    /// <summary>Every example plugin as built (plugins/*/dist) installs; a refused one would silently vanish from the spawn menu.</summary>
    [Fact(Timeout = 60_000)]
    public async Task ExamplePlugins_Shipped_AllInstall()
    {
        await using var server = LabyrinthServer.StartNew();
        await server.WaitForSetupTokenAsync();
        var rejected = server.Logs.Where(l => l.Level >= LogLevel.Error && l.Category.EndsWith("ExamplePlugins", StringComparison.Ordinal)).Select(l => l.Message).ToList();
        Assert.True(rejected.Count == 0, string.Join("\n", rejected));
    }
}
