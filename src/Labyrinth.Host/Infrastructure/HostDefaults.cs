using Microsoft.Extensions.Configuration.Memory;

namespace Labyrinth.Host.Infrastructure;

/// <summary>
/// Settings the host ships with, below every other configuration source (appsettings, environment,
/// command line), so any of them can change each one.
/// </summary>
internal static class HostDefaults
{
    /// <summary>The hosting layer's log category: it logs a line per request at Information.</summary>
    public const string RequestLogCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static ConfigurationManager AddLabyrinthDefaults(this ConfigurationManager configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                // While this category is enabled at any level, ASP.NET Core starts a trace Activity
                // and a log scope for every request (about 900 bytes and a microsecond each, most of
                // what a plugin file costs beyond Kestrel itself). Nothing here exports traces or
                // prints scopes; docs/operations.md says how to turn request logs back on.
                [$"Logging:LogLevel:{RequestLogCategory}"] = "None",
            },
        });
        return configuration;
    }
}
