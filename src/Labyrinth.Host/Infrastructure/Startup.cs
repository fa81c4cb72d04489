using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Features.Plugins;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Labyrinth.Host.Infrastructure;

internal static partial class Startup
{
    public static IServiceCollection AddLabyrinthHost(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LabyrinthOptions>().Bind(configuration.GetSection(LabyrinthOptions.Section))
            .Validate(o => o.MaxPayloadBytes is > 0 and <= 16 * 1024 * 1024, "Labyrinth:MaxPayloadBytes must be between 1 byte and 16 MiB.")
            .Validate(o => o.LoginAttemptsPerMinute > 0, "Labyrinth:LoginAttemptsPerMinute must be positive.")
            .ValidateOnStart();
        services.AddSingleton<HostPaths>();
        services.AddProxyHeaders();
        services.AddSingleton(TimeProvider.System);
        services.AddProblemDetails();
        services.AddExceptionHandler<StorageFullHandler>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.MaxDepth = 64);
        services.AddLabyrinthData();

        // Keys for auth cookies live with the data, so sign-ins survive restarts.
        services.AddDataProtection().SetApplicationName("Labyrinth");
        services.AddOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>()
            .Configure<HostPaths>((o, paths) =>
            {
                paths.EnsureCreated();
                o.XmlRepository = new Microsoft.AspNetCore.DataProtection.Repositories.FileSystemXmlRepository(
                    new DirectoryInfo(paths.DataProtectionDir), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
            });
        return services;
    }

    /// <summary>Exit code of a start refused by <see cref="InitializeLabyrinthAsync"/> (sysexits' EX_CONFIG).</summary>
    public const int CannotStartExitCode = 78;

    /// <summary>
    /// Checks the data directory, migrates, installs the example plugins, and on first run prints the
    /// one-time setup URL. False when the host cannot start: the reason, one sentence saying which
    /// path, what is wrong and how to fix it, has been written to standard error (no stack trace).
    /// </summary>
    public static async Task<bool> InitializeLabyrinthAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var paths = app.Services.GetRequiredService<HostPaths>();
        var problem = DataDirectoryCheck.Run(paths);
        if (problem is null)
        {
            try
            {
                await InitializeCoreAsync(app);
                return true;
            }
            catch (Exception ex) when (StorageErrors.IsFull(ex))
            {
                problem = $"The disk holding {paths.DataDir} is full, so the host cannot finish starting; free some space there and start again.";
            }
            catch (Exception ex) when (StorageErrors.IsReadOnly(ex))
            {
                problem = $"{paths.DatabaseFile} cannot be written (read-only file or file system); make it writable and start again.";
            }
        }

        await Console.Error.WriteLineAsync("Labyrinth cannot start: " + problem);
        return false;
    }

    private static async Task InitializeCoreAsync(WebApplication app)
    {
        await app.Services.MigrateLabyrinthDataAsync();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ExamplePlugins>().InstallAsync(CancellationToken.None);
        }

        await app.Services.GetRequiredService<PluginCatalog>().ReloadAsync();
        await app.Services.GetRequiredService<Features.Rollouts.PluginAccess>().ReloadAsync();

        string? setupToken = null;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
            if (!await accounts.AnyUsersAsync(CancellationToken.None))
            {
                setupToken = await scope.ServiceProvider.GetRequiredService<SetupTokenService>().IssueAsync(CancellationToken.None);
            }
        }

        if (setupToken is not null)
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Labyrinth.Setup");
            app.Lifetime.ApplicationStarted.Register(() =>
            {
                var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                              ?? "http://localhost:5080";
                address = address.Replace("://[::]", "://localhost", StringComparison.Ordinal).Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal)
                    .Replace("://127.0.0.1", "://localhost", StringComparison.Ordinal);
                LogSetupUrl(logger, $"{address.TrimEnd('/')}/setup?token={setupToken}");
            });
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "First run: create the admin account at {SetupUrl} (single use)")]
    private static partial void LogSetupUrl(ILogger logger, string setupUrl);
}
