using Labyrinth.Host.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Labyrinth.Host.Tests.Infrastructure;

/// <summary>
/// The hosting layer's request log is off unless configured: while its category is enabled at any
/// level, every request pays for a trace activity and a log scope that nothing here reads.
/// </summary>
public sealed class HostDefaultsTests
{
    [Fact]
    public async Task RequestLog_ByDefault_IsOff()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        _ = await app.CreateClientAsync();

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(HostDefaults.RequestLogCategory);

        Assert.False(logger.IsEnabled(LogLevel.Critical));
    }

    [Fact]
    public async Task RequestLog_SetInConfiguration_IsOn()
    {
        await using var app = LabyrinthApp.With($"Logging:LogLevel:{HostDefaults.RequestLogCategory}", "Information");
        _ = await app.CreateClientAsync();

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(HostDefaults.RequestLogCategory);

        Assert.True(logger.IsEnabled(LogLevel.Information));
    }
}
