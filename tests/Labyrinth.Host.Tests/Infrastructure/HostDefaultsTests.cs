using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Labyrinth.Host.Tests.Infrastructure;

/// <summary>
/// The hosting layer's request log is off unless configured: while its category is enabled at any
/// level, every request pays for a trace activity and a log scope that nothing here reads. And the
/// shipped appsettings are read wherever the host is started from.
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

    [Fact]
    public void AppSettings_ContentRootWithoutThem_AreReadBesideTheAssembly()
    {
        using var dirs = new AppSettingsDirs();
        dirs.Write(dirs.Assembly, "appsettings.json", """{ "Probe": "assembly", "Labyrinth": { "DataDir": "shipped" } }""");
        dirs.Write(dirs.Assembly, "appsettings.Production.json", """{ "Probe": "assembly, production" }""");
        var builder = dirs.Builder();

        builder.Configuration.UseAppSettingsBesideAssembly(builder.Environment, dirs.Assembly);

        Assert.Equal("shipped", builder.Configuration["Labyrinth:DataDir"]);
        Assert.Equal("assembly, production", builder.Configuration["Probe"]);
        Assert.Equal(dirs.ContentRoot, builder.Environment.ContentRootPath.TrimEnd(Path.DirectorySeparatorChar));
    }

    [Fact]
    public void AppSettings_ContentRootWithItsOwn_KeepsThem()
    {
        using var dirs = new AppSettingsDirs();
        dirs.Write(dirs.Assembly, "appsettings.json", """{ "Probe": "assembly" }""");
        dirs.Write(dirs.ContentRoot, "appsettings.json", """{ "Probe": "content root" }""");
        var builder = dirs.Builder();

        builder.Configuration.UseAppSettingsBesideAssembly(builder.Environment, dirs.Assembly);

        Assert.Equal("content root", builder.Configuration["Probe"]);
    }

    [Fact]
    public void AppSettings_ReadBesideTheAssembly_EnvironmentVariablesStillWin()
    {
        using var dirs = new AppSettingsDirs();
        dirs.Write(dirs.Assembly, "appsettings.json", """{ "Probe": "assembly" }""");
        var builder = dirs.Builder();
        builder.Configuration.AddInMemoryCollection([new("Probe", "later source")]);

        builder.Configuration.UseAppSettingsBesideAssembly(builder.Environment, dirs.Assembly);

        Assert.Equal("later source", builder.Configuration["Probe"]);
    }

    [Fact]
    public async Task AppSettings_ByDefault_AreNotWatched()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        _ = await app.CreateClientAsync();

        var files = JsonSources(app.Services.GetRequiredService<IConfiguration>());

        Assert.Contains(files, f => f.Path == "appsettings.json");
        Assert.All(files, f => Assert.False(f.ReloadOnChange, $"{f.Path} is watched"));
    }

    [Fact]
    public void AppSettings_WatchAskedForOnTheCommandLine_AreWatched()
    {
        using var dirs = new AppSettingsDirs();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = HostDefaults.BuilderArguments(["--hostBuilder:reloadConfigOnChange=true"]),
            ContentRootPath = dirs.ContentRoot,
            EnvironmentName = "Production",
        });

        var files = JsonSources(builder.Configuration);

        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.True(f.ReloadOnChange, $"{f.Path} is not watched"));
    }

    private static List<FileConfigurationSource> JsonSources(IConfiguration configuration) =>
        ((IConfigurationRoot)configuration).Providers.OfType<JsonConfigurationProvider>().Select(p => p.Source).ToList();

    /// <summary>An empty content root and an "assembly" folder, both temporary.</summary>
    private sealed class AppSettingsDirs : IDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("labyrinth-appsettings-").FullName;

        public AppSettingsDirs()
        {
            Directory.CreateDirectory(ContentRoot);
            Directory.CreateDirectory(Assembly);
        }

        public string ContentRoot => Path.Combine(_root, "cwd");

        public string Assembly => Path.Combine(_root, "bin");

        public void Write(string dir, string name, string json) => File.WriteAllText(Path.Combine(dir, name), json);

        // The same sources CreateBuilder adds for `dotnet Labyrinth.Host.dll` in that folder.
        public WebApplicationBuilder Builder() => WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = ContentRoot,
            EnvironmentName = "Production",
        });

        public void Dispose() => Directory.Delete(_root, recursive: true);
    }
}
