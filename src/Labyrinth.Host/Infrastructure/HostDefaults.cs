using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.FileProviders;

namespace Labyrinth.Host.Infrastructure;

/// <summary>
/// Settings the host ships with, below every other configuration source (appsettings, environment,
/// command line), so any of them can change each one.
/// </summary>
internal static class HostDefaults
{
    /// <summary>The hosting layer's log category: it logs a line per request at Information.</summary>
    public const string RequestLogCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>
    /// The arguments the host's builder is created with: the builder settings below, then
    /// <paramref name="args"/>, so any of them given on the command line (or as a <c>DOTNET_</c>
    /// environment variable) still wins.
    /// <para>
    /// The settings files are read once at start, not watched. A watch on <c>appsettings.json</c> is
    /// a recursive watch of the working directory (an inotify watch on every folder under it, set up
    /// before <c>CreateBuilder</c> returns): a service started in <c>/</c> (systemd's default working
    /// directory) walked the whole file system, ~28 s and 3.8 CPU s of its start and 31 MiB held for
    /// as long as it ran; started from the repository it cost ~40 CPU ms and 6–10 MiB. What a watch
    /// gave was log levels and the free-space threshold of <c>/healthz</c> taken from an edited file
    /// without a restart; every other setting is read once at start anyway, so now all of them are
    /// (docs/operations.md, "Configuration").
    /// </para>
    /// </summary>
    public static string[] BuilderArguments(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return ["--hostBuilder:reloadConfigOnChange=false", .. args];
    }

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

    /// <summary>
    /// Reads <c>appsettings.json</c> and <c>appsettings.{Environment}.json</c> from
    /// <paramref name="assemblyDirectory"/> (where the build copies them) when the content root has no
    /// <c>appsettings.json</c>. ASP.NET Core's content root is the working directory, so
    /// <c>dotnet path/to/Labyrinth.Host.dll</c> started anywhere but the project folder (the benches,
    /// a service unit) would otherwise run without the shipped settings, listening on port 5000.
    /// Only where the files are read from changes: the content root, and so every path resolved
    /// against it, stays what it was, and a content root with its own appsettings.json (dotnet run,
    /// the tests, a deployment started in its folder) keeps it. Environment variables and the
    /// command line still win over both files.
    /// </summary>
    public static ConfigurationManager UseAppSettingsBesideAssembly(this ConfigurationManager configuration, IHostEnvironment environment, string assemblyDirectory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentException.ThrowIfNullOrEmpty(assemblyDirectory);
        const string AppSettings = "appsettings.json";
        if (File.Exists(Path.Combine(environment.ContentRootPath, AppSettings))
            || !File.Exists(Path.Combine(assemblyDirectory, AppSettings)))
        {
            return configuration;
        }

        var files = new PhysicalFileProvider(Path.GetFullPath(assemblyDirectory));
        var environmentFile = $"appsettings.{environment.EnvironmentName}.json";
        IList<IConfigurationSource> sources = configuration.Sources;
        for (var i = 0; i < sources.Count; i++)
        {
            // Replaced in place, so each file keeps its rank among the sources.
            if (sources[i] is JsonConfigurationSource { Path: { } path } json
                && (string.Equals(path, AppSettings, StringComparison.OrdinalIgnoreCase)
                    || string.Equals(path, environmentFile, StringComparison.OrdinalIgnoreCase)))
            {
                sources[i] = new JsonConfigurationSource
                {
                    Path = path,
                    Optional = json.Optional,
                    ReloadOnChange = json.ReloadOnChange,
                    FileProvider = files,
                };
            }
        }

        return configuration;
    }
}
