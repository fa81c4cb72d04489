using Labyrinth.Host.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Data;

public sealed class DatabaseClockTests
{
    [Fact]
    public async Task HostClock_Always_TellsWholeMicroseconds()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var clock = app.Services.GetRequiredService<TimeProvider>();

        // Several readings: one that happens to fall on a whole microsecond proves nothing.
        var readings = Enumerable.Range(0, 20).Select(_ => clock.GetUtcNow()).ToList();

        Assert.All(readings, t => Assert.Equal(0, t.Ticks % TimeSpan.TicksPerMicrosecond));
    }
}
